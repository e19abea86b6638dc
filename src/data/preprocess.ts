import { DataError } from './errors.js';

export type Layout = 'NCHW' | 'NHWC';

/**
 * Declared preprocessing, applied per sample in this order: channels, resize, scale, mean/std.
 * - `scale`: multiply raw values (default 1; image folders 1/255).
 * - `mean`, `std`: per-channel normalisation (x − mean[c]) / std[c], one value or one per channel.
 * - `layout`: layout of the samples fed to the model (default NCHW); [N,H,W] arrays get the channel
 *   axis inserted for it.
 * - `dataLayout`: layout of stored [N,C,H,W] or [N,H,W,C] arrays (default: `layout`); samples are
 *   transposed from it to `layout`. Image folders always decode to HWC.
 * - `resize`: [height, width], bilinear, PyTorch's `align_corners=False` without antialiasing.
 * - `channels`: 1 or 3; gray → RGB replicates, RGB → gray is 0.299R + 0.587G + 0.114B, alpha is dropped.
 */
export interface Preprocess {
  scale?: number;
  mean?: number[];
  std?: number[];
  layout?: Layout;
  dataLayout?: Layout;
  resize?: [number, number];
  channels?: 1 | 3;
}

export interface ImageDims {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Preprocessing with every default resolved, for one kind of sample. */
export type PreprocessPlan = ImagePlan | FlatPlan;

interface Normalisation {
  readonly scale: number;
  /** float32-rounded, one per output channel (one for flat samples) */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface ImagePlan extends Normalisation {
  readonly kind: 'image';
  readonly sampleShape: readonly number[];
  /** layout of the samples handed to `applyPlan` (image folders decode to NHWC) */
  readonly inputLayout: Layout;
  readonly layout: Layout;
  readonly out: ImageDims;
}

/** Samples that are not images (e.g. feature vectors): only scale and a single mean/std apply. */
export interface FlatPlan extends Normalisation {
  readonly kind: 'flat';
  readonly sampleShape: readonly number[];
}

/**
 * The image dims of an array sample of shape `storedShape` (without the sample axis), or
 * undefined when it is not an image: [H,W] gets a channel axis; [C,H,W] or [H,W,C] per layout.
 */
export function arraySampleDims(storedShape: readonly number[], layout: Layout): ImageDims | undefined {
  const [a, b, c] = storedShape;
  if (storedShape.length === 2) return { height: a!, width: b!, channels: 1 };
  if (storedShape.length !== 3) return undefined;
  return layout === 'NCHW' ? { height: b!, width: c!, channels: a! } : { height: a!, width: b!, channels: c! };
}

/** Plan for samples of an array source whose samples have shape `storedShape`; `file` names it in errors. */
export function planForArray(pre: Preprocess, storedShape: readonly number[], file: string): PreprocessPlan {
  const layout = checkLayout(pre, file);
  const dataLayout = checkLayout({ layout: pre.dataLayout ?? layout }, file);
  const dims = arraySampleDims(storedShape, dataLayout);
  if (dims === undefined) {
    for (const key of ['resize', 'channels'] as const) {
      if (pre[key] !== undefined) {
        throw new DataError(`${key} needs image samples, but ${file} has samples of shape [${storedShape.join(', ')}]; drop the ${key} option`);
      }
    }
    const what = `${file} samples have shape [${storedShape.join(', ')}], not images`;
    return { kind: 'flat', sampleShape: [...storedShape], ...checkNormalisation(pre, 1, what) };
  }
  return planImage(pre, dims, dataLayout, layout, 1, file);
}

/** Plan for decoded images (NHWC, uint8 values); `first` supplies the default size and channels. */
export function planForImages(pre: Preprocess, first: ImageDims, file: string): ImagePlan {
  return planImage(pre, first, 'NHWC', checkLayout(pre, file), 1 / 255, file);
}

/** True if `applyPlan` would copy the sample unchanged for input dims `dims`. */
export function isIdentity(plan: PreprocessPlan, dims: ImageDims | undefined): boolean {
  const plain = plan.scale === 1 && plan.mean.every((m) => m === 0) && plan.std.every((s) => s === 1);
  if (plan.kind === 'flat' || dims === undefined) return plain;
  const { out } = plan;
  return plain && plan.inputLayout === plan.layout && sameDims(dims, out);
}

/** Preprocesses one sample `src` (with `dims` in the plan's input layout) into `dst` at `offset`. */
export function applyPlan(plan: PreprocessPlan, src: ArrayLike<number>, dims: ImageDims | undefined, dst: Float32Array, offset: number): void {
  const normalise = normaliser(plan);
  if (plan.kind === 'flat' || dims === undefined) {
    for (let i = 0; i < src.length; i++) dst[offset + i] = normalise(src[i]!, 0);
    return;
  }
  const { height: H, width: W, channels: C } = plan.out;
  let hwc = toHwc(src, dims, plan.inputLayout, C);
  if (dims.height !== H || dims.width !== W) hwc = resizeBilinear(hwc, { height: dims.height, width: dims.width, channels: C }, H, W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) {
        const at = plan.layout === 'NCHW' ? (c * H + y) * W + x : (y * W + x) * C + c;
        dst[offset + at] = normalise(hwc[(y * W + x) * C + c]!, c);
      }
    }
  }
}

/**
 * Bilinear resize of an HWC image, as PyTorch's `F.interpolate(mode='bilinear', align_corners=False,
 * antialias=False)`: source coordinate (o + 0.5)·in/out − 0.5, clamped at 0, neighbours clamped at the edge.
 */
export function resizeBilinear(src: ArrayLike<number>, dims: ImageDims, height: number, width: number): Float32Array {
  const C = dims.channels;
  const out = new Float32Array(height * width * C);
  const rows = Array.from({ length: height }, (_, o) => sourceIndex(dims.height, height, o));
  const cols = Array.from({ length: width }, (_, o) => sourceIndex(dims.width, width, o));
  const px = (y: number, x: number, c: number): number => src[(y * dims.width + x) * C + c]!;
  for (let oy = 0; oy < height; oy++) {
    const { i0: y0, i1: y1, t: ty } = rows[oy]!;
    for (let ox = 0; ox < width; ox++) {
      const { i0: x0, i1: x1, t: tx } = cols[ox]!;
      for (let c = 0; c < C; c++) {
        const top = (1 - tx) * px(y0, x0, c) + tx * px(y0, x1, c);
        const bottom = (1 - tx) * px(y1, x0, c) + tx * px(y1, x1, c);
        out[(oy * width + ox) * C + c] = (1 - ty) * top + ty * bottom;
      }
    }
  }
  return out;
}

function sourceIndex(inSize: number, outSize: number, o: number): { i0: number; i1: number; t: number } {
  const s = Math.max((o + 0.5) * (inSize / outSize) - 0.5, 0);
  const i0 = Math.min(Math.floor(s), inSize - 1);
  return { i0, i1: Math.min(i0 + 1, inSize - 1), t: s - i0 };
}

/**
 * (x·scale − mean[c]) / std[c] with each step rounded to float32, so that scale 1/255 and a
 * mean/std give the same bits as torchvision's ToTensor (x / 255) followed by Normalize.
 */
function normaliser(plan: Normalisation): (value: number, channel: number) => number {
  const f = Math.fround;
  const divisor = Math.round(1 / plan.scale);
  const scaled = 1 / divisor === plan.scale ? (v: number) => f(v / divisor) : (v: number) => f(v * plan.scale);
  const { mean, std } = plan;
  return (v, c) => f(f(scaled(v) - mean[c]!) / std[c]!);
}

/** Copies an image into HWC order with `channels` channels, converting gray/RGB/RGBA as documented on Preprocess. */
function toHwc(src: ArrayLike<number>, dims: ImageDims, layout: Layout, channels: number): Float32Array {
  const { height: H, width: W, channels: C } = dims;
  const get = layout === 'NCHW' ? (y: number, x: number, c: number) => src[(c * H + y) * W + x]! : (y: number, x: number, c: number) => src[(y * W + x) * C + c]!;
  const out = new Float32Array(H * W * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * channels;
      if (channels === C || (channels === 3 && C === 4)) {
        for (let c = 0; c < channels; c++) out[o + c] = get(y, x, c);
      } else if (channels === 1 && C >= 3) {
        out[o] = 0.299 * get(y, x, 0) + 0.587 * get(y, x, 1) + 0.114 * get(y, x, 2);
      } else {
        out.fill(get(y, x, 0), o, o + channels); // gray (or gray + alpha) → gray or RGB
      }
    }
  }
  return out;
}

function planImage(pre: Preprocess, input: ImageDims, inputLayout: Layout, layout: Layout, defaultScale: number, file: string): ImagePlan {
  if (pre.channels !== undefined && pre.channels !== 1 && pre.channels !== 3) {
    throw new DataError(`channels must be 1 or 3, got ${String(pre.channels)} (for ${file})`);
  }
  const channels = pre.channels ?? input.channels;
  if (channels !== input.channels && !canConvert(input.channels, channels)) {
    throw new DataError(`${file} has ${input.channels} channels, which cannot be converted to ${channels}; the channels option converts between 1 (gray) and 3 (RGB), 2 (gray + alpha) and 4 (RGBA)`);
  }
  const [height, width] = checkResize(pre, file) ?? [input.height, input.width];
  const out = { height, width, channels };
  return {
    kind: 'image',
    inputLayout,
    layout,
    out,
    sampleShape: layout === 'NCHW' ? [channels, height, width] : [height, width, channels],
    ...checkNormalisation({ ...pre, scale: pre.scale ?? defaultScale }, channels, `${file} samples have ${channels} channel${channels === 1 ? '' : 's'}`),
  };
}

function canConvert(from: number, to: number): boolean {
  return (to === 1 || to === 3) && from >= 1 && from <= 4;
}

function sameDims(a: ImageDims, b: ImageDims): boolean {
  return a.height === b.height && a.width === b.width && a.channels === b.channels;
}

function checkLayout(pre: Preprocess, file: string): Layout {
  const layout = pre.layout ?? 'NCHW';
  if (layout !== 'NCHW' && layout !== 'NHWC') throw new DataError(`layout must be NCHW or NHWC, got ${String(layout)} (for ${file})`);
  return layout;
}

function checkResize(pre: Preprocess, file: string): [number, number] | undefined {
  const { resize } = pre;
  if (resize === undefined) return undefined;
  if (resize.length !== 2 || !resize.every((d) => Number.isInteger(d) && d > 0)) {
    throw new DataError(`resize must be [height, width] with two positive integers, got [${resize.join(', ')}] (for ${file})`);
  }
  return resize;
}

/** `what` says what the samples are, for messages, e.g. "x.npy samples have 3 channels". */
function checkNormalisation(pre: Preprocess, channels: number, what: string): Normalisation {
  const scale = pre.scale ?? 1;
  if (!Number.isFinite(scale) || scale === 0) throw new DataError(`scale must be a finite non-zero number, got ${scale} (${what})`);
  const perChannel = (name: 'mean' | 'std', fallback: number): number[] => {
    const values = pre[name] ?? [fallback];
    if (values.length !== 1 && values.length !== channels) {
      throw new DataError(`${name} has ${values.length} values but ${what}; give ${channels === 1 ? '1 value' : `1 or ${channels} values`}`);
    }
    if (!values.every(Number.isFinite) || (name === 'std' && values.includes(0))) {
      throw new DataError(`${name} must hold finite numbers${name === 'std' ? ', none zero' : ''}, got [${values.join(', ')}] (${what})`);
    }
    return Array.from({ length: channels }, (_, c) => Math.fround(values[values.length === 1 ? 0 : c]!));
  };
  return { scale, mean: perChannel('mean', 0), std: perChannel('std', 1) };
}
