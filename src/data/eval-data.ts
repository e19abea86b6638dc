import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { rowSize, memoryArraySource, type ArraySource, type RowReader } from './array-source.js';
import { product } from './dtypes.js';
import { DataError, fileError } from './errors.js';
import { openIdx } from './idx.js';
import { decodeImageFile, scanImageFolder, type ImageFolder } from './image-folder.js';
import { checkLabels, readLabels } from './labels.js';
import { openNpy } from './npy.js';
import { openNpz } from './npz.js';
import { applyPlan, arraySampleDims, isIdentity, planForArray, planForImages, type Preprocess } from './preprocess.js';

/** `count` samples from index `start`. `images` is count × prod(sampleShape) float32, C order. */
export interface Batch {
  start: number;
  count: number;
  images: Float32Array;
  /** one class index per sample; empty when the dataset has no labels */
  labels: Int32Array;
}

export interface EvalData {
  /** samples available (after `limit`) */
  readonly count: number;
  /** shape of one sample as fed to the model, e.g. [1, 28, 28] */
  readonly sampleShape: readonly number[];
  readonly hasLabels: boolean;
  /** e.g. "zoo/bundled/images.npy (2000×1×28×28 float32)" */
  readonly description: string;
  /**
   * Streams samples [start, end) (default: all) in batches of `batchSize` (the last may be
   * smaller). Every batch is freshly allocated, so a consumer may keep it. Only the rows of
   * the current batch are read and held: positioned reads for .npy and raw IDX, one
   * inflate pass for .gz. Breaking out of the loop closes the files.
   */
  batches(batchSize: number, options?: { start?: number; end?: number }): AsyncGenerator<Batch>;
  /**
   * sha256 (hex) of what the model is fed: the sample shape, count, and the float32 samples
   * and int32 labels after preprocessing (little-endian). Independent of the file format and
   * of batching. Reads all samples once; the result is cached.
   */
  fingerprint(): Promise<string>;
}

export interface OpenEvalDataOptions {
  /** .npy, .npz, IDX file (raw or .gz), or a folder of images (one subfolder per class) */
  data: string;
  /** labels file (.npy or IDX, raw or .gz); overrides labels found in `data` */
  labels?: string;
  /** use only the first `limit` samples (all if there are fewer) */
  limit?: number;
  preprocess?: Preprocess;
  /**
   * Accept samples holding NaN or ±Infinity (one note names the first) instead of refusing the
   * data with an error naming the file and the sample (default false).
   */
  allowNonfinite?: boolean;
  /** Receives notes on the data: a non-finite sample allowed, integer values up to 255 without a scale. */
  onNote?: (note: string) => void;
}

/**
 * Opens evaluation data. Headers and labels are checked here, so bad input fails before
 * evaluation starts; image pixels are only read by `batches` (and `fingerprint`).
 *
 * @example
 * const ds = await openEvalData({ data: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz', preprocess: { scale: 1 / 255 } });
 * for await (const batch of ds.batches(256)) evaluate(batch.images, batch.labels);
 */
export async function openEvalData(options: OpenEvalDataOptions): Promise<EvalData> {
  const { data, limit, preprocess = {} } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new DataError(`limit must be a positive integer, got ${limit} (for ${data})`);
  }
  const found = await openSamples(data, preprocess, options.onNote);
  const { samples } = found;
  if (samples.total === 0) {
    throw new DataError(`${samples.file} holds no samples (shape [0, ${samples.sampleShape.join(', ')}]); give a file with at least one`);
  }
  checkSampleSize(samples.file, samples.sampleShape);
  const labels = options.labels === undefined ? found.labels : await openArray(options.labels);
  if (labels !== undefined && labels.shape[0] !== samples.total) {
    // A header's count says nothing about a damaged file: a truncated .gz is corrupt, not of another length.
    await labels.verify?.();
    await samples.verify?.();
    throw new DataError(
      `${labels.file} has ${labels.shape[0]} labels but ${samples.file} has ${samples.total} samples; ` +
        'give the labels file that belongs to this data',
    );
  }
  const count = Math.min(samples.total, limit ?? Infinity);
  if (labels !== undefined) await checkLabels(labels, count);
  return new StreamedEvalData(samples, labels, count, { allowNonfinite: options.allowNonfinite === true, note: options.onNote ?? (() => {}) });
}

/** Where samples come from: preprocessed float32 samples, read front to back from a start index. */
interface Samples {
  readonly file: string;
  readonly total: number;
  readonly sampleShape: readonly number[];
  /** what the stored data is, for the description, e.g. "uint8" */
  readonly stored: string;
  open(start: number): Promise<SampleReader>;
  /** Reads the whole stored file once and throws if it is damaged (a .gz that ends early, say). */
  verify?(): Promise<void>;
}

interface SampleReader {
  read(count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

type Note = (note: string) => void;

/** Values one sample may hold (2^26: a 3×4096×4096 image is 50M). A bigger one is most likely a damaged header. */
const MAX_SAMPLE_VALUES = 2 ** 26;

/**
 * Rows are read in parts of at most this many values, so that a header that declares more rows
 * than a (compressed) file holds fails before a whole batch is allocated for them.
 */
const PART_VALUES = 2 ** 22;

async function openSamples(data: string, preprocess: Preprocess, note: Note | undefined): Promise<{ samples: Samples; labels: ArraySource | undefined }> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(data)).isDirectory();
  } catch (error) {
    throw fileError(data, error);
  }
  if (isFolder) {
    const folder = await scanImageFolder(data);
    const labels = folder.labels && memoryArraySource(data, folder.labels);
    return { samples: await imageFolderSamples(folder, preprocess), labels };
  }
  if (extname(data).toLowerCase() === '.npz') {
    const { images, labels } = await openNpz(data);
    return { samples: arraySamples(images, preprocess, note), labels };
  }
  return { samples: arraySamples(await openArray(data), preprocess, note), labels: undefined };
}

/** A .npy file or else an IDX file (raw or gzip). */
function openArray(file: string): Promise<ArraySource> {
  return extname(file).toLowerCase() === '.npy' ? openNpy(file) : openIdx(file);
}

/** Refuses samples of no values, and samples too big to be anything but a damaged header. */
function checkSampleSize(file: string, sampleShape: readonly number[]): void {
  const values = product(sampleShape);
  if (values === 0) {
    throw new DataError(`${file}: its samples have shape [${sampleShape.join(', ')}] and hold no values; give samples with at least one`);
  }
  if (values > MAX_SAMPLE_VALUES) {
    throw new DataError(
      `${file}: its samples have shape [${sampleShape.join(', ')}], ${values} values each; safer takes at most ${MAX_SAMPLE_VALUES} (2^26) per sample (is the header damaged?)`,
    );
  }
}

function arraySamples(source: ArraySource, preprocess: Preprocess, note: Note | undefined): Samples {
  const { file, shape, dtype } = source;
  if (shape.length < 2) {
    throw new DataError(`${file} has shape [${shape.join(', ')}]; data needs a sample axis and at least one more (is it a labels file?)`);
  }
  // Before planning: a plan holds one mean and std per channel, and a damaged header may declare 2^31 channels.
  checkSampleSize(file, shape.slice(1));
  const plan = planForArray(preprocess, shape.slice(1), file);
  const dims = arraySampleDims(shape.slice(1), plan.kind === 'image' ? plan.inputLayout : 'NCHW');
  const inSize = rowSize(source);
  const outSize = product(plan.sampleShape);
  const identity = isIdentity(plan, dims);
  // Integer values above 1 fed to a float model without a declared scale are most often uint8 pixels.
  let hinted = preprocess.scale !== undefined || note === undefined;
  return {
    file,
    total: shape[0]!,
    sampleShape: plan.sampleShape,
    stored: dtype,
    ...(source.verify ? { verify: () => source.verify!() } : {}),
    async open(start) {
      const rows = await source.openRows(start);
      return {
        async read(count) {
          const raw = await readInParts(rows, count, inSize);
          if (!hinted) {
            hinted = true;
            const max = byteRangeMax(raw);
            if (max !== undefined) note?.(`warning: ${file}: its first samples hold integer values up to ${max}, and no --scale was given; did you mean --scale 0.00392156862745098 (1/255)?`);
          }
          if (identity) return raw;
          const out = new Float32Array(count * outSize);
          for (let i = 0; i < count; i++) applyPlan(plan, raw.subarray(i * inSize, (i + 1) * inSize), dims, out, i * outSize);
          return out;
        },
        close: () => rows.close(),
      };
    },
  };
}

/** `count` rows of `rowValues` values, read part by part and joined once all of them are there. */
async function readInParts(rows: RowReader, count: number, rowValues: number): Promise<Float32Array> {
  const perPart = Math.max(1, Math.floor(PART_VALUES / rowValues));
  if (count <= perPart) {
    const raw = new Float32Array(count * rowValues);
    await rows.read(raw);
    return raw;
  }
  const parts: Float32Array[] = [];
  for (let done = 0; done < count; done += perPart) {
    const part = new Float32Array(Math.min(perPart, count - done) * rowValues);
    await rows.read(part);
    parts.push(part);
  }
  const raw = new Float32Array(count * rowValues);
  let offset = 0;
  for (const part of parts) {
    raw.set(part, offset);
    offset += part.length;
  }
  return raw;
}

/** Images decoded one by one; without `resize` they must all have the first image's size. */
async function imageFolderSamples(folder: ImageFolder, preprocess: Preprocess): Promise<Samples> {
  const { root, files } = folder;
  const first = await decodeImageFile(files[0]!);
  const plan = planForImages(preprocess, first, root);
  const outSize = product(plan.sampleShape);
  const classes = folder.labels === undefined ? 'unlabelled' : `${folder.classes.length} class folders`;
  return {
    file: root,
    total: files.length,
    sampleShape: plan.sampleShape,
    stored: `png/jpeg, ${classes}`,
    open(start) {
      let next = start;
      return Promise.resolve({
        async read(count) {
          const out = new Float32Array(count * outSize);
          for (let i = 0; i < count; i++, next++) {
            const file = files[next]!;
            const image = await decodeImageFile(file);
            if (preprocess.resize === undefined && (image.height !== first.height || image.width !== first.width)) {
              throw new DataError(
                `${file} is ${image.width}×${image.height} but ${files[0]!} is ${first.width}×${first.height}; ` +
                  'give a resize or make all images the same size',
              );
            }
            applyPlan(plan, image.data, image, out, i * outSize);
          }
          return out;
        },
        close: () => Promise.resolve(),
      });
    },
  };
}

/** The largest value, if every value is an integer in [0, 255] and the largest is above 1.5; else undefined. */
function byteRangeMax(values: Float32Array): number | undefined {
  let max = 0;
  for (const v of values) {
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) return undefined;
    if (v > max) max = v;
  }
  return max > 1.5 ? max : undefined;
}

/** Index of the first NaN or ±Infinity in `values`, or -1. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

interface FiniteCheck {
  readonly allowNonfinite: boolean;
  readonly note: Note;
}

class StreamedEvalData implements EvalData {
  readonly sampleShape: readonly number[];
  readonly hasLabels: boolean;
  readonly description: string;
  private fingerprintPromise: Promise<string> | undefined;
  private nonFiniteNoted = false;

  constructor(
    private readonly samples: Samples,
    private readonly labels: ArraySource | undefined,
    readonly count: number,
    private readonly finite: FiniteCheck,
  ) {
    this.sampleShape = samples.sampleShape;
    this.hasLabels = labels !== undefined;
    const subset = count < samples.total ? `, first ${count} of ${samples.total}` : '';
    const labelled = labels === undefined ? ', no labels' : labels.file === samples.file ? '' : `, labels ${labels.file}`;
    this.description = `${samples.file} (${[count, ...samples.sampleShape].join('×')} ${samples.stored}${subset})${labelled}`;
  }

  async *batches(batchSize: number, options: { start?: number; end?: number } = {}): AsyncGenerator<Batch> {
    const { start = 0, end = this.count } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new DataError(`batch size must be a positive integer, got ${batchSize} (for ${this.samples.file})`);
    }
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > this.count) {
      throw new DataError(`batch range [${start}, ${end}) is outside [0, ${this.count}] for ${this.description}`);
    }
    const images = await this.samples.open(start);
    let labels: RowReader | undefined;
    try {
      labels = await this.labels?.openRows(start);
      for (let at = start; at < end; at += batchSize) {
        const count = Math.min(batchSize, end - at);
        const batchImages = await images.read(count);
        this.checkFinite(batchImages, at);
        const batchLabels = labels === undefined ? new Int32Array(0) : await readLabels(labels, this.labels!.file, at, count);
        yield { start: at, count, images: batchImages, labels: batchLabels };
      }
    } finally {
      await Promise.all([images.close(), labels?.close()]);
    }
  }

  /** Refuses (or, allowed, notes once) a batch holding NaN or ±Infinity, naming the first such sample. */
  private checkFinite(images: Float32Array, start: number): void {
    if (this.nonFiniteNoted) return;
    const at = firstNonFinite(images);
    if (at < 0) return;
    const sample = start + Math.floor(at / product(this.sampleShape));
    const what = `${this.samples.file}: sample ${sample} holds a non-finite value (${images[at]})`;
    if (!this.finite.allowNonfinite) {
      throw new DataError(`${what}; losses and gradients on it would not be finite: fix the data, or pass --allow-nonfinite to use it anyway`);
    }
    this.nonFiniteNoted = true;
    this.finite.note(`warning: ${what}; used as is (--allow-nonfinite): its loss and gradients will not be finite`);
  }

  fingerprint(): Promise<string> {
    this.fingerprintPromise ??= this.computeFingerprint();
    return this.fingerprintPromise;
  }

  private async computeFingerprint(): Promise<string> {
    const images = createHash('sha256');
    const labels = createHash('sha256');
    for await (const batch of this.batches(256)) {
      images.update(littleEndianBytes(batch.images));
      labels.update(littleEndianBytes(batch.labels));
    }
    const header = JSON.stringify({ count: this.count, sampleShape: this.sampleShape, hasLabels: this.hasLabels });
    return createHash('sha256').update(header).update(images.digest()).update(labels.digest()).digest('hex');
  }
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(values: Float32Array | Int32Array): Uint8Array {
  if (HOST_LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  const isFloat = values instanceof Float32Array;
  for (let i = 0; i < values.length; i++) {
    if (isFloat) view.setFloat32(i * 4, values[i]!, true);
    else view.setInt32(i * 4, values[i]!, true);
  }
  return bytes;
}
