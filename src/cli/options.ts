/**
 * Declarative, typed command-line options. A command's table is the one place an option is
 * described: its kind, its checks (range, choices) and its default, which the parser applies and
 * `--help` shows. Every option must carry a description (the type forces it), so help is always
 * complete, and the same table validates a config file (config.ts).
 */
import { UsageError } from '../errors.js';

export type OptionKind = 'string' | 'number' | 'integer' | 'boolean' | 'list';

/** The value type of an option kind. */
export type ValueOf<K extends OptionKind> = K extends 'boolean' ? boolean : K extends 'list' ? readonly string[] : K extends 'string' ? string : number;

export interface OptionSpec<K extends OptionKind = OptionKind> {
  readonly kind: K;
  readonly description: string;
  /** Shown in help as the value placeholder, e.g. "file". */
  readonly value?: string;
  /** Applied when the option is not given, and shown in help. */
  readonly default?: ValueOf<K>;
  /** Help for a default the library decides (e.g. "all cores"); the option is then undefined when not given. */
  readonly defaultText?: string;
  /** Numbers: the smallest and largest value allowed (inclusive). */
  readonly min?: number;
  readonly max?: number;
  /** Strings: the values allowed. */
  readonly choices?: readonly string[];
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The parsed options of a table: options with a default (and flags) always have a value. */
export type ParsedOptions<T extends OptionTable> = {
  readonly [N in keyof T]: T[N] extends OptionSpec<infer K>
    ? T[N] extends { default: unknown } ? ValueOf<K> : K extends 'boolean' ? boolean : ValueOf<K> | undefined
    : never;
};

/** Raw values by option name, before defaults: from argv or a config file. */
export type RawOptions = Map<string, string | boolean | readonly string[] | number>;

export interface ParsedArgs {
  readonly positional: string[];
  readonly given: RawOptions;
}

/** Splits argv into positional arguments and raw option values: `--name value`, `--name=value`, `--flag`, `--no-flag`. */
export function parseArgs(argv: readonly string[], table: OptionTable, command: string): ParsedArgs {
  const positional: string[] = [];
  const given: RawOptions = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let negated = false;
    if (!Object.hasOwn(table, name) && name.startsWith('no-') && table[name.slice(3)]?.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!spec) throw new UsageError(`unknown option --${name} for "safer ${command}"; run "safer ${command} --help" to see the options`);
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} is a flag and takes no value`);
      given.set(name, !negated);
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value (${spec.value ?? spec.kind}): ${spec.description}`);
    }
    if (spec.kind === 'list') {
      const previous = given.get(name);
      given.set(name, [...(Array.isArray(previous) ? (previous as readonly string[]) : []), ...splitList(raw)]);
    } else given.set(name, raw);
  }
  return { positional, given };
}

function splitList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * The typed options of a table from raw values (`sources`, highest priority first: argv, then a
 * config file), with every check of the table applied and defaults filled in. `where` names a
 * source in messages ("--seeds", or 'safer.config.json: "sweep.seeds"').
 */
export function resolveOptions<T extends OptionTable>(table: T, sources: readonly { values: RawOptions; where: (name: string) => string }[]): ParsedOptions<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const source = sources.find((s) => s.values.has(name));
    const raw = source?.values.get(name);
    out[name] = raw === undefined || !source ? (spec.default ?? (spec.kind === 'boolean' ? false : undefined)) : convert(spec, raw, source.where(name));
  }
  return out as ParsedOptions<T>;
}

/** One raw value as the table's kind, checked. */
function convert(spec: OptionSpec, raw: string | boolean | readonly string[] | number, where: string): unknown {
  switch (spec.kind) {
    case 'boolean':
      if (typeof raw !== 'boolean') throw new UsageError(`${where} is a flag: true or false, got ${JSON.stringify(raw)}`);
      return raw;
    case 'list': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? splitList(raw) : undefined;
      if (!items || !items.every((item) => typeof item === 'string')) throw new UsageError(`${where} must be a comma-separated list, got ${JSON.stringify(raw)}`);
      return items;
    }
    case 'string': {
      // A config file may give a number for a text option (`"seeds": 5` for --seeds S|auto).
      const text = typeof raw === 'number' ? String(raw) : raw;
      if (typeof text !== 'string') throw new UsageError(`${where} must be a string, got ${JSON.stringify(raw)}`);
      const value = spec.choices?.find((c) => c.toLowerCase() === text.toLowerCase());
      if (spec.choices && value === undefined) throw new UsageError(`${where} must be one of ${spec.choices.join(', ')}, got "${text}"`);
      return value ?? text;
    }
    case 'number':
    case 'integer': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      const what = spec.kind === 'integer' ? 'an integer' : 'a number';
      const range = [spec.min !== undefined ? `≥ ${spec.min}` : '', spec.max !== undefined ? `≤ ${spec.max}` : ''].filter((s) => s).join(' and ');
      const wanted = spec.kind === 'integer' && spec.min === 1 && spec.max === undefined ? 'a positive integer' : `${what}${range ? ` ${range}` : ''}`;
      if (!Number.isFinite(value) || (spec.kind === 'integer' && !Number.isSafeInteger(value))) throw new UsageError(`${where} must be ${wanted}, got ${JSON.stringify(raw)}`);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) throw new UsageError(`${where} must be ${wanted}, got ${value}`);
      return value;
    }
  }
}

/** Help text for a command's options, from its table. */
export function formatOptions(table: OptionTable): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const left = spec.kind === 'boolean' ? `--${name}` : `--${name} <${spec.value ?? spec.kind}>`;
    const shown = spec.default !== undefined && spec.kind !== 'boolean' ? (Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)) : spec.defaultText;
    const choices = spec.choices ? ` (${spec.choices.join('|')})` : '';
    return [left, spec.description + choices + (shown !== undefined ? ` (default: ${shown})` : '')] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`).join('\n');
}
