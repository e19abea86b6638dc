/**
 * The one validating parser of sweep rows. A row must carry what every reader needs (layer,
 * perturbation, seed, accuracy, base_accuracy, count and the model and data hashes); fields that
 * rows from other tools may lack get neutral values (loss null, layer_index −1, ...). Unknown
 * fields are ignored. Errors name the file and line.
 */
import { RowsError } from './errors.js';
import { ROW_FORMAT, type SweepRow } from './row.js';

type Json = Record<string, unknown>;

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isFraction = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isCount = (v: unknown): v is number => isInteger(v) && v > 0;
const isNumberOrNull = (v: unknown): v is number | null => v === null || v === undefined || typeof v === 'number';

function field<T>(row: Json, name: string, where: string, check: (v: unknown) => v is T, what: string): T {
  const v = row[name];
  if (!check(v)) throw new RowsError(`${where}: field "${name}" must be ${what}, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

/** Parses one JSON line of a results file; `where` is "file:line" for messages. */
export function parseRow(line: string, where: string): SweepRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new RowsError(`${where}: not valid JSON (${(e as Error).message}); each line of a results file is one JSON object`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RowsError(`${where}: expected a JSON object per line, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const row = value as Json;
  const optional = (name: string): number | null => {
    const v = field(row, name, where, isNumberOrNull, 'a number or null');
    return typeof v === 'number' ? v : null;
  };
  const accuracy = field(row, 'accuracy', where, isFraction, 'a number in [0, 1]');
  const baseAccuracy = field(row, 'base_accuracy', where, isFraction, 'a number in [0, 1]');
  const count = field(row, 'count', where, isCount, 'a positive integer (images evaluated)');
  const parsed: SweepRow = {
    layer: field(row, 'layer', where, isString, 'a layer (weight initializer) name'),
    layer_index: typeof row.layer_index === 'number' ? row.layer_index : -1,
    perturbation: field(row, 'perturbation', where, isString, 'a perturbation such as "prune:0.5"'),
    seed: field(row, 'seed', where, isInteger, 'an integer'),
    accuracy,
    loss: optional('loss'),
    kl: optional('kl'),
    unchanged: optional('unchanged') ?? NaN,
    count,
    correct: typeof row.correct === 'number' ? row.correct : Math.round(accuracy * count),
    base_accuracy: baseAccuracy,
    base_loss: optional('base_loss') ?? NaN,
    drop: baseAccuracy - accuracy,
    model: typeof row.model === 'string' ? row.model : '',
    model_sha256: field(row, 'model_sha256', where, isString, 'the hex sha256 of the model file'),
    data_sha256: field(row, 'data_sha256', where, isString, 'the hex sha256 of the evaluation data'),
    version: typeof row.version === 'string' ? row.version : '',
    seconds: typeof row.seconds === 'number' ? row.seconds : 0,
  };
  const counted = (name: 'right_to_wrong' | 'wrong_to_right'): void => {
    if (row[name] === undefined) return;
    parsed[name] = field(row, name, where, (v): v is number => isInteger(v) && v >= 0 && v <= count, `an image count in 0..${count}`);
  };
  if (row.format !== undefined) parsed.format = field(row, 'format', where, (v): v is number => isInteger(v) && v >= 1 && v <= ROW_FORMAT, `a row format in 1..${ROW_FORMAT}`);
  counted('right_to_wrong');
  counted('wrong_to_right');
  if (typeof row.adaptive === 'object' && row.adaptive !== null) parsed.adaptive = row.adaptive as NonNullable<SweepRow['adaptive']>;
  return parsed;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A results file's text as rows. A last line without its newline (a run writing it, or killed mid-write) is `torn`, not an error. */
export function parseRowsText(text: string, file: string): { rows: SweepRow[]; lines: number[]; torn: string | undefined } {
  const rows: SweepRow[] = [];
  const lines: number[] = [];
  const parts = text.split('\n');
  const last = parts.length - 1;
  let torn: string | undefined;
  for (let i = 0; i < parts.length; i++) {
    const line = (parts[i] as string).trim();
    if (line === '') continue;
    if (i === last && !isJson(line)) {
      // Without its newline the line was cut short by a writer (running, or killed mid-write).
      torn = parts[i];
      continue;
    }
    rows.push(parseRow(line, `${file}:${i + 1}`));
    lines.push(i + 1);
  }
  return { rows, lines, torn };
}
