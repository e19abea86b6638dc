/** Options shared by many commands (evaluation data, output, threads), and how they are read. */
import { openEvalData, type EvalData, type Preprocess } from '../data/index.js';
import { OptionError, UsageError } from '../errors.js';
import { BUNDLED } from './defaults.js';
import type { OptionTable, ParsedOptions } from './options.js';

export const DATA_OPTIONS = {
  data: { kind: 'string', value: 'file|folder', description: 'evaluation images: .npy, .npz, IDX (.gz) or a folder of class subfolders', defaultText: 'the bundled Fashion-MNIST subset when no model is given' },
  labels: { kind: 'string', value: 'file', description: 'labels (.npy or IDX) when --data does not carry them' },
  limit: { kind: 'integer', value: 'N', description: 'use only the first N images', min: 1 },
  scale: { kind: 'number', value: 'x', description: 'multiply pixel values by x (e.g. 0.00392156862745098 for uint8 data); default 1, or 1/255 for image folders' },
  mean: { kind: 'list', value: 'm1,m2,..', description: 'per-channel mean subtracted after scaling' },
  std: { kind: 'list', value: 's1,s2,..', description: 'per-channel standard deviation divided after the mean' },
  layout: { kind: 'string', value: 'layout', description: 'layout of the samples the model expects', choices: ['NCHW', 'NHWC'], default: 'NCHW' },
  'data-layout': { kind: 'string', value: 'layout', description: 'layout of the samples in a .npy/.npz/IDX file; they are transposed to --layout when it differs', choices: ['NCHW', 'NHWC'], defaultText: 'as --layout' },
  resize: { kind: 'string', value: 'HxW', description: 'resize images to H×W (bilinear, as torch interpolate with align_corners=False)' },
  channels: { kind: 'integer', value: '1|3', description: 'convert images to this many channels (gray 0.299R+0.587G+0.114B, or gray repeated)', min: 1, max: 3 },
  'allow-nonfinite': { kind: 'boolean', description: 'use samples holding NaN or Infinity (with a warning) instead of refusing the data' },
} as const satisfies OptionTable;

/** --json and --quiet: every command that prints a result has them. */
export const OUTPUT_OPTIONS = {
  json: { kind: 'boolean', description: 'print machine-readable JSON on stdout instead of text' },
  quiet: { kind: 'boolean', description: 'no progress line and no notes on stderr (errors still go there)' },
} as const satisfies OptionTable;

export const THREADS_OPTION = {
  threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads', defaultText: 'all cores', min: 1 },
} as const satisfies OptionTable;

export const MODEL_DATA_USAGE = '[model.onnx] [--data <file|folder>] [--labels <file>]';

export interface ModelAndData {
  model: string;
  data: string;
  labels?: string;
}

type DataOptions = ParsedOptions<typeof DATA_OPTIONS>;

/** The model path and data paths, with the bundled defaults when no model is named. */
export function resolveModelAndData(positional: readonly string[], options: DataOptions, command: string): ModelAndData {
  const [model, ...extra] = positional;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" for "safer ${command}"`);
  const { data, labels } = options;
  if (model === undefined) {
    if (data === undefined) return { model: BUNDLED.model, data: BUNDLED.images, labels: labels ?? BUNDLED.labels };
    throw new UsageError(`--data given without a model: name the model, e.g. "safer ${command} model.onnx --data ${data}"`);
  }
  if (data === undefined) {
    throw new UsageError(`--data is required with a model: "safer ${command} ${model} --data <images> [--labels <labels>]"`);
  }
  return labels === undefined ? { model, data } : { model, data, labels };
}

export function preprocessFrom(options: DataOptions): Preprocess {
  const p: Preprocess = {};
  if (options.scale !== undefined) p.scale = options.scale;
  const mean = numberList(options.mean, 'mean');
  if (mean) p.mean = mean;
  const std = numberList(options.std, 'std');
  if (std) p.std = std;
  p.layout = options.layout === 'NHWC' ? 'NHWC' : 'NCHW';
  if (options['data-layout'] !== undefined) p.dataLayout = options['data-layout'] === 'NHWC' ? 'NHWC' : 'NCHW';
  if (options.resize !== undefined) {
    const m = /^(\d+)x(\d+)$/i.exec(options.resize);
    if (!m) throw new UsageError(`--resize must look like 28x28 (height x width), got "${options.resize}"`);
    p.resize = [Number(m[1]), Number(m[2])];
  }
  if (options.channels !== undefined) {
    if (options.channels !== 1 && options.channels !== 3) throw new UsageError(`--channels must be 1 or 3, got ${options.channels}`);
    p.channels = options.channels;
  }
  return p;
}

function numberList(items: readonly string[] | undefined, name: string): number[] | undefined {
  if (!items) return undefined;
  return items.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a comma-separated list of numbers, got "${s}"`);
    return v;
  });
}

/** Opens the evaluation set named by the options; labels are required. `note` gets the data's warnings. */
export async function openLabeledData(paths: ModelAndData, options: DataOptions, note: (text: string) => void): Promise<EvalData> {
  const data = await openEvalData({
    data: paths.data,
    ...(paths.labels !== undefined ? { labels: paths.labels } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    preprocess: preprocessFrom(options),
    allowNonfinite: options['allow-nonfinite'],
    onNote: note,
  });
  if (!data.hasLabels) throw new OptionError(`${paths.data}: no labels found; pass them with --labels <file>`);
  return data;
}

/** A note on stderr unless --quiet. */
export function noteWriter(options: { quiet: boolean }, err: (text: string) => void): (note: string) => void {
  return (note) => {
    if (!options.quiet) err(note);
  };
}
