import { rowSize, type ArraySource, type RowReader } from './array-source.js';
import { DataError } from './errors.js';

const CHECK_CHUNK = 65536;

/**
 * Checks the first `count` labels of `source` before any evaluation runs: one value per
 * sample, each an integer (float files are accepted when every value is integral), ≥ 0,
 * that fits in int32. Streams through the file; nothing is kept.
 */
export async function checkLabels(source: ArraySource, count: number): Promise<void> {
  if (rowSize(source) !== 1 || source.shape.length > 2) {
    throw new DataError(`${source.file} has shape [${source.shape.join(', ')}]; labels must be one class index per sample, shape [N]`);
  }
  const reader = await source.openRows(0);
  try {
    for (let first = 0; first < count; first += CHECK_CHUNK) {
      await readLabels(reader, source.file, first, Math.min(CHECK_CHUNK, count - first));
    }
  } finally {
    await reader.close();
  }
}

/** The next `count` labels from `reader` (whose next row is `first`), checked as in checkLabels. */
export async function readLabels(reader: RowReader, file: string, first: number, count: number): Promise<Int32Array> {
  const values = new Float64Array(count);
  await reader.read(values);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    const problem = !Number.isInteger(v) ? 'is not an integer' : v < 0 ? 'is negative' : v > 0x7fffffff ? 'is too large' : undefined;
    if (problem !== undefined) {
      throw new DataError(`${file}: label ${v} at index ${first + i} ${problem}; labels must be class indices 0, 1, 2, ...`);
    }
    labels[i] = v;
  }
  return labels;
}
