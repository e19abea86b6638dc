/** Options shared by every command that reads an evaluation set, and how they open it. */
import { openEvalData, type EvalData, type Preprocess } from '../data/index.js';
import { OptionError } from '../errors.js';
import { BUNDLED } from './defaults.js';
import type { OptionTable, Options } from './options.js';

export const DATA_OPTIONS = {
  data: { kind: 'string', value: 'file|folder', description: 'evaluation images: .npy, .npz, IDX (.gz) or a folder of class subfolders', defaultText: 'the bundled Fashion-MNIST subset when no model is given' },
  labels: { kind: 'string', value: 'file', description: 'labels (.npy or IDX) when --data does not carry them' },
  limit: { kind: 'integer', value: 'N', description: 'use only the first N images' },
  scale: { kind: 'number', value: 'x', description: 'multiply pixel values by x (e.g. 0.00392156862745098 for uint8 data); default 1, or 1/255 for image folders' },
  mean: { kind: 'list', value: 'm1,m2,..', description: 'per-channel mean subtracted after scaling' },
  std: { kind: 'list', value: 's1,s2,..', description: 'per-channel standard deviation divided after the mean' },
  layout: { kind: 'string', value: 'NCHW|NHWC', description: 'layout of the samples the model expects', defaultText: 'NCHW' },
  resize: { kind: 'string', value: 'HxW', description: 'resize images to H×W (bilinear, as torch interpolate with align_corners=False)' },
  channels: { kind: 'integer', value: '1|3', description: 'convert images to this many channels (gray 0.299R+0.587G+0.114B, or gray repeated)' },
} as const satisfies OptionTable;

export const MODEL_DATA_USAGE = '[model.onnx] [--data <file|folder>] [--labels <file>]';

export interface ModelAndData {
  model: string;
  data: string;
  labels?: string;
}

/** The model path and data paths, with the bundled defaults when no model is named. */
export function resolveModelAndData(options: Options, command: string): ModelAndData {
  const [model, ...extra] = options.positional;
  if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}" for "safer ${command}"`);
  const data = options.string('data');
  const labels = options.string('labels');
  if (model === undefined) {
    if (data === undefined) return { model: BUNDLED.model, data: BUNDLED.images, labels: labels ?? BUNDLED.labels };
    throw new OptionError(`--data given without a model: name the model, e.g. "safer ${command} model.onnx --data ${data}"`);
  }
  if (data === undefined) {
    throw new OptionError(`--data is required with a model: "safer ${command} ${model} --data <images> [--labels <labels>]"`);
  }
  return labels === undefined ? { model, data } : { model, data, labels };
}

export function preprocessFrom(options: Options): Preprocess {
  const p: Preprocess = {};
  const scale = options.number('scale');
  if (scale !== undefined) p.scale = scale;
  const mean = numberList(options, 'mean');
  if (mean) p.mean = mean;
  const std = numberList(options, 'std');
  if (std) p.std = std;
  const layout = options.string('layout');
  if (layout !== undefined) {
    const upper = layout.toUpperCase();
    if (upper !== 'NCHW' && upper !== 'NHWC') throw new OptionError(`--layout must be NCHW or NHWC, got "${layout}"`);
    p.layout = upper;
  }
  const resize = options.string('resize');
  if (resize !== undefined) {
    const m = /^(\d+)x(\d+)$/i.exec(resize);
    if (!m) throw new OptionError(`--resize must look like 28x28 (height x width), got "${resize}"`);
    p.resize = [Number(m[1]), Number(m[2])];
  }
  const channels = options.number('channels');
  if (channels !== undefined) {
    if (channels !== 1 && channels !== 3) throw new OptionError(`--channels must be 1 or 3, got ${channels}`);
    p.channels = channels;
  }
  return p;
}

function numberList(options: Options, name: string): number[] | undefined {
  const items = options.list(name);
  if (!items) return undefined;
  return items.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new OptionError(`--${name} must be a comma-separated list of numbers, got "${s}"`);
    return v;
  });
}

/** Opens the evaluation set named by the options; labels are required. */
export async function openLabeledData(paths: ModelAndData, options: Options): Promise<EvalData> {
  const limit = options.number('limit');
  const dataset = await openEvalData({
    data: paths.data,
    ...(paths.labels !== undefined ? { labels: paths.labels } : {}),
    ...(limit !== undefined ? { limit } : {}),
    preprocess: preprocessFrom(options),
  });
  if (!dataset.hasLabels) {
    throw new OptionError(`${paths.data}: no labels found; pass them with --labels <file>`);
  }
  return dataset;
}
