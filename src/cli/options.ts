/**
 * Declarative command-line options. Every option must carry a description
 * (the type forces it), so `--help` is always complete.
 */
import { OptionError } from '../errors.js';

export type OptionKind = 'string' | 'number' | 'integer' | 'boolean' | 'list';

export interface OptionSpec {
  readonly kind: OptionKind;
  readonly description: string;
  /** Shown in help as the value placeholder, e.g. "file". */
  readonly value?: string;
  /** Default shown in help (the command applies defaults itself). */
  readonly defaultText?: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export type ParsedValue = string | number | boolean | string[];

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: ReadonlyMap<string, ParsedValue>;
}

/** Parses `--name value`, `--name=value` and boolean `--flag` / `--no-flag`. */
export function parseArgs(argv: readonly string[], table: OptionTable, command: string): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, ParsedValue>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let negated = false;
    if (!(name in table) && name.startsWith('no-') && table[name.slice(3)]?.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = table[name];
    if (!spec) {
      throw new OptionError(`unknown option --${name} for "safer ${command}"; run "safer ${command} --help" to see the options`);
    }
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new OptionError(`--${name} is a flag and takes no value`);
      options.set(name, !negated);
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) {
      throw new OptionError(`--${name} needs a value (${spec.value ?? spec.kind}): ${spec.description}`);
    }
    options.set(name, convert(name, spec, raw, options.get(name)));
  }
  return { positional, options };
}

function convert(name: string, spec: OptionSpec, raw: string, previous: ParsedValue | undefined): ParsedValue {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      return [...(Array.isArray(previous) ? previous : []), ...items];
    }
    case 'number':
    case 'integer': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value) || (spec.kind === 'integer' && !Number.isInteger(value))) {
        throw new OptionError(`--${name} must be ${spec.kind === 'integer' ? 'an integer' : 'a number'}, got "${raw}"`);
      }
      return value;
    }
    case 'boolean':
      return true;
  }
}

/** Typed accessors over parsed options. */
export class Options {
  constructor(private readonly parsed: ParsedArgs) {}

  get positional(): readonly string[] {
    return this.parsed.positional;
  }

  string(name: string): string | undefined {
    const v = this.parsed.options.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  number(name: string): number | undefined {
    const v = this.parsed.options.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  flag(name: string): boolean {
    return this.parsed.options.get(name) === true;
  }

  list(name: string): string[] | undefined {
    const v = this.parsed.options.get(name);
    return Array.isArray(v) ? v : undefined;
  }

  has(name: string): boolean {
    return this.parsed.options.has(name);
  }

  /** A positive integer option, or the fallback. */
  positiveInt(name: string, fallback: number): number;
  positiveInt(name: string): number | undefined;
  positiveInt(name: string, fallback?: number): number | undefined {
    const v = this.number(name);
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || v < 1) throw new OptionError(`--${name} must be a positive integer, got ${v}`);
    return v;
  }
}

/** Help text for a command's options. */
export function formatOptions(table: OptionTable): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const left = spec.kind === 'boolean' ? `--${name}` : `--${name} <${spec.value ?? spec.kind}>`;
    const def = spec.defaultText !== undefined ? ` (default: ${spec.defaultText})` : '';
    return [left, spec.description + def] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`).join('\n');
}
