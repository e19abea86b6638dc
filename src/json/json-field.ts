/**
 * Typed reads of parsed JSON that fail with one line naming the file and the field,
 * e.g. `plan-quant.json: "layers.conv1.weight" must be a number or boolean, got "x"`.
 */
import { SaferError } from '../errors.js';

/** The error class a reader's fields throw (each module has its own, e.g. ReportInputError). */
export type InputErrorClass = new (message: string) => SaferError;

export class JsonField {
  constructor(
    /** File name as shown in messages (with ":<line>" for JSONL). */
    readonly file: string,
    /** Dotted path of this field; "" for the top level. */
    readonly path: string,
    readonly value: unknown,
    private readonly error: InputErrorClass,
  ) {}

  static parse(file: string, text: string, error: InputErrorClass): JsonField {
    try {
      return new JsonField(file, '', JSON.parse(text) as unknown, error);
    } catch (e) {
      throw new error(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }

  get absent(): boolean {
    return this.value === undefined;
  }

  get(key: string): JsonField {
    const object = this.object();
    return new JsonField(this.file, this.path === '' ? key : `${this.path}.${key}`, Object.hasOwn(object, key) ? object[key] : undefined, this.error);
  }

  has(key: string): boolean {
    return typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value) && Object.hasOwn(this.value, key);
  }

  fail(expected: string): never {
    const where = this.path === '' ? '' : ` "${this.path}"`;
    const got = this.value === undefined ? 'nothing (missing)' : truncate(JSON.stringify(this.value));
    throw new this.error(`${this.file}:${where} must be ${expected}, got ${got}`);
  }

  object(): Record<string, unknown> {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.fail('an object');
    return this.value as Record<string, unknown>;
  }

  array(): JsonField[] {
    if (!Array.isArray(this.value)) this.fail('an array');
    return (this.value as unknown[]).map((v, i) => new JsonField(this.file, `${this.path}[${i}]`, v, this.error));
  }

  entries(): [string, JsonField][] {
    return Object.keys(this.object()).map((key) => [key, this.get(key)]);
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) this.fail('a finite number');
    return this.value as number;
  }

  integer(): number {
    if (!Number.isSafeInteger(this.value) || (this.value as number) < 0) this.fail('a non-negative integer');
    return this.value as number;
  }

  fraction(): number {
    const value = this.value;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) this.fail('a fraction in [0, 1]');
    return value as number;
  }

  numberOrNull(): number | null {
    return this.value === null ? null : this.number();
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail('a string');
    return this.value as string;
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail('true or false');
    return this.value as boolean;
  }

  /** A missing field or null reads as null; anything else must satisfy `read`. */
  optional<T>(read: (field: JsonField) => T): T | null {
    return this.value === undefined || this.value === null ? null : read(this);
  }

  /** [lo, hi] with lo ≤ hi, or null/missing. */
  interval(): [number, number] | null {
    if (this.value === undefined || this.value === null) return null;
    const [lo, hi] = this.array().map((f) => f.number());
    if (lo === undefined || hi === undefined || this.array().length !== 2 || lo > hi) this.fail('[lo, hi] with lo ≤ hi');
    return [lo, hi];
  }

  numberRecord(): Record<string, number> {
    return Object.fromEntries(this.entries().map(([k, f]) => [k, f.number()]));
  }
}

function truncate(text: string | undefined): string {
  const t = text ?? String(text);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}
