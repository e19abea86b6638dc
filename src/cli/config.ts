/**
 * `safer.config.json`: default option values per command, checked against the commands' own option
 * tables (the schema). Its shape: { "<command>": { "<option>": <value> } }, e.g.
 * { "sweep": { "seeds": 10, "perturb": "prune:0.5,quant:4" } }. Values given on the command line win.
 * Every error names the file and the key ("safer.config.json: "sweep.seedz" is not an option ...").
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Command } from './command.js';
import type { RawOptions } from './options.js';

export const CONFIG_FILE = 'safer.config.json';

/** The config file's entry for one command, checked against its option table; empty without a file. */
export function configOptions(path: string | undefined, command: Command, commandNames: readonly string[]): { values: RawOptions; where: (name: string) => string } {
  const file = path ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
  const where = (name: string): string => `${file}: "${command.name}.${name}"`;
  if (file === undefined) return { values: new Map(), where };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code ? `cannot read the config file (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  if (!isObject(parsed)) throw new UsageError(`${file}: the config file must be a JSON object of commands, e.g. {"sweep": {"seeds": 10}}`);
  for (const key of Object.keys(parsed)) {
    if (key !== '$schema' && !commandNames.includes(key)) throw new UsageError(`${file}: "${key}" is not a command (commands: ${commandNames.join(', ')})`);
  }
  const entry = parsed[command.name];
  if (entry === undefined) return { values: new Map(), where };
  if (!isObject(entry)) throw new UsageError(`${file}: "${command.name}" must be an object of options, e.g. {"json": true}`);
  const values: RawOptions = new Map();
  for (const [name, value] of Object.entries(entry)) {
    if (!Object.hasOwn(command.options, name)) {
      throw new UsageError(`${where(name)} is not an option of safer ${command.name} (options: ${Object.keys(command.options).join(', ')})`);
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw new UsageError(`${where(name)} must be a string, number, boolean or list of strings, got ${JSON.stringify(value)}`);
    }
    values.set(name, value as string | number | boolean | readonly string[]);
  }
  return { values, where };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
