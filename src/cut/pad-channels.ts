/**
 * An exact rewrite for the sweep's own copy of a graph (never the user's model; CutEngine's `padChannels`): every block of channels
 * a convolution produces is widened to a multiple of `block` with channels that are zero, and every
 * consumer's weights get zero entries for them, so the padded graph computes the same logits up to float
 * rounding. onnxruntime runs convolutions in its blocked (NCHWc) layout only when their channel counts are
 * multiples of the block (16 with AVX-512, 8 with AVX2); a DenseNet's 12-channel growth convolutions and
 * the concatenations around them otherwise run unblocked, with layout conversions between them: padded to
 * 16, its full pass took 0.6 of the time (docs/benchmarks.md, `node perf/pad-channels-probe.mjs`).
 *
 * A value's channels are a list of segments (what a Concat joins); padded channel j of a segment holds
 * original channel j for j < original, zero or a finite constant after (a BatchNormalization of a zero
 * channel gives its bias, set to 0; an activation of 0 may be non-zero, which is harmless because every
 * weight reading a padding channel is 0). The rewrite knows the ops of convolutional classifiers; a
 * padded value reaching any other op leaves the model unpadded (`padChannels` returns undefined).
 */
import { attrInt, attrInts, constantNodeValue } from '../onnx/attrs.js';
import { topologicalOrder } from '../onnx/graph.js';
import type { Initializer, Model, Node } from '../onnx/ir.js';
import type { ShapeTable } from '../model/shape-table.js';

/** A run of channels: `size` original ones, stored in `padded` ≥ size. */
interface Segment {
  readonly size: number;
  readonly padded: number;
}

/** The channels of a value along axis 1, each spread over `inner` consecutive entries (H·W after a Flatten, else 1). */
interface ChannelLayout {
  readonly segments: readonly Segment[];
  readonly inner: number;
}

export interface PaddedChannels {
  /** The padded model: same nodes and names, widened initializers. */
  readonly model: Model;
  /** The widened initializers' names. */
  readonly widened: ReadonlySet<string>;
  /** `values` of initializer `name` (in the original shape) placed into its padded shape; other initializers as given. */
  embed(name: string, values: Float32Array): Float32Array;
  /** The padded size of axis 1 of `value`, if the rewrite widened it. */
  paddedChannels(value: string): number | undefined;
}

/** Ops that act on each entry alone: a padding channel stays a padding channel (its values never reach a weight that is not 0). */
const ELEMENTWISE = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'HardSigmoid', 'HardSwish', 'Softplus', 'Identity', 'Dropout']);
/** Ops that act on each channel alone, keeping the layout. */
const PER_CHANNEL = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool']);

/**
 * A convolution is widened by at most this factor (12 → 16 channels, not 6 → 16): the padding channels are
 * computed like real ones, and LeNet-5's 6-channel convolution padded to 16 made its full pass 1.36× slower.
 */
const MAX_GROWTH = 4 / 3;

/** Channels per block of onnxruntime's blocked layout (NCHWc) with AVX-512; AVX2's 8 divides it. */
export const LAYOUT_BLOCK = 16;

const roundUp = (n: number, block: number): number => Math.ceil(n / block) * block;
const total = (layout: ChannelLayout): { size: number; padded: number } =>
  layout.segments.reduce((a, s) => ({ size: a.size + s.size, padded: a.padded + s.padded }), { size: 0, padded: 0 });
const isPadded = (layout: ChannelLayout | undefined): boolean => layout !== undefined && layout.segments.some((s) => s.padded !== s.size);

/** For each original index along a laid-out axis, its padded index. */
function indexMap(layout: ChannelLayout): Int32Array {
  const { size } = total(layout);
  const map = new Int32Array(size * layout.inner);
  let from = 0;
  let to = 0;
  for (const s of layout.segments) {
    for (let c = 0; c < s.size * layout.inner; c++) map[from + c] = to + c;
    from += s.size * layout.inner;
    to += s.padded * layout.inner;
  }
  return map;
}

/** How one widened initializer is filled: its padded dims, and where each original entry goes. */
interface Widening {
  readonly dims: readonly number[];
  readonly fill: number;
  readonly place: (values: Float32Array, out: Float32Array) => void;
}

/**
 * The model with convolution outputs padded to multiples of `block` channels, or undefined when no
 * convolution's channel count needs it, or a padded value reaches an op the rewrite does not know.
 */
export function padChannels(model: Model, shapes: ShapeTable, block = LAYOUT_BLOCK): PaddedChannels | undefined {
  const inits = model.graph.initializers;
  const layouts = new Map<string, ChannelLayout>();
  const widenings = new Map<string, Widening>();
  const float = (name: string): Initializer | undefined => {
    const init = inits.get(name);
    return init && init.dataType === 'float32' && !widenings.has(name) ? init : undefined;
  };

  for (const node of topologicalOrder(model.graph)) {
    const padded = node.inputs.filter((i) => isPadded(layouts.get(i)));
    if (node.opType === 'Conv') {
      if (!conv(node)) return undefined;
      continue;
    }
    if (padded.length === 0) continue;
    if (!rewrite(node)) return undefined;
  }
  if (widenings.size === 0) return undefined;
  for (const out of model.graph.outputs) if (isPadded(layouts.get(out.name))) return undefined;
  // A widened weight read by a second node would be wrong for that node.
  const readers = new Map<string, number>();
  for (const node of model.graph.nodes) for (const i of new Set(node.inputs)) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const name of widenings.keys()) if (readers.get(name) !== 1) return undefined;

  const widened = new Map<string, Initializer>(inits);
  for (const [name, w] of widenings) {
    const init = inits.get(name) as Initializer;
    widened.set(name, { ...init, dims: w.dims, data: place(w, init.data as Float32Array) });
  }
  const paddedValues = new Set([...layouts].filter(([, l]) => isPadded(l)).map(([v]) => v));
  const graph = { ...model.graph, initializers: widened, valueInfo: model.graph.valueInfo.filter((v) => !paddedValues.has(v.name)) };
  return {
    model: { ...model, graph },
    widened: new Set(widenings.keys()),
    embed: (name, values) => {
      const w = widenings.get(name);
      return w ? place(w, values) : values;
    },
    paddedChannels: (value) => {
      const layout = layouts.get(value);
      return isPadded(layout) ? total(layout as ChannelLayout).padded : undefined;
    },
  };

  function place(w: Widening, values: Float32Array): Float32Array {
    const out = new Float32Array(w.dims.reduce((a, d) => a * d, 1)).fill(w.fill);
    w.place(values, out);
    return out;
  }

  /** A Conv (group 1, initializer weight): widens its output channels, and its input channels to the input's layout. */
  function conv(node: Node): boolean {
    const [x, wName, bName] = node.inputs as [string, string, string | undefined];
    const input = layouts.get(x);
    const w = float(wName);
    if (!w || w.dims.length < 3 || attrInt(node, 'group', 1) !== 1) return !isPadded(input);
    const [cout, cin] = w.dims as [number, number];
    const inLayout = input ?? { segments: [{ size: cin, padded: cin }], inner: 1 };
    if (inLayout.inner !== 1 || total(inLayout).size !== cin) return false;
    const pout = roundUp(cout, block) <= cout * MAX_GROWTH ? roundUp(cout, block) : cout;
    if (pout === cout && !isPadded(inLayout)) return true;
    const pin = total(inLayout).padded;
    const kernel = w.dims.slice(2).reduce((a, d) => a * d, 1);
    const inMap = indexMap(inLayout);
    widenings.set(wName, {
      dims: [pout, pin, ...w.dims.slice(2)],
      fill: 0,
      place: (values, out) => {
        for (let o = 0; o < cout; o++) {
          for (let i = 0; i < cin; i++) out.set(values.subarray((o * cin + i) * kernel, (o * cin + i + 1) * kernel), (o * pin + (inMap[i] as number)) * kernel);
        }
      },
    });
    if (bName && !float(bName)) return false;
    if (bName && pout !== cout) widenings.set(bName, { dims: [pout], fill: 0, place: (values, out) => out.set(values) });
    layouts.set(node.outputs[0] as string, { segments: [{ size: cout, padded: pout }], inner: 1 });
    return true;
  }

  /** A node reading a padded value: true when its rule applies (and its outputs' layouts are set). */
  function rewrite(node: Node): boolean {
    const out = node.outputs[0] as string;
    const first = layouts.get(node.inputs[0] as string);
    const same = (layout: ChannelLayout | undefined): boolean => {
      layouts.set(out, layout as ChannelLayout);
      return layout !== undefined && node.inputs.slice(1).every((i) => i === '' || !isPadded(layouts.get(i)));
    };
    if (ELEMENTWISE.has(node.opType)) return same(first);
    if (node.opType === 'Clip') return same(first) && node.inputs.slice(1).every((i) => i === '' || inits.has(i) || !layouts.has(i));
    if (PER_CHANNEL.has(node.opType)) return first?.inner === 1 && node.outputs.length === 1 && same(first);
    if (node.opType === 'BatchNormalization') return batchNorm(node, first);
    if (node.opType === 'Concat') {
      const axis = attrInt(node, 'axis', 1);
      const rank = shapes.has(out) ? shapes.rank(out) : 4;
      const parts = node.inputs.map((i) => layouts.get(i));
      if ((axis !== 1 && axis !== 1 - rank) || parts.some((p) => !p || p.inner !== 1)) return false;
      layouts.set(out, { segments: parts.flatMap((p) => (p as ChannelLayout).segments), inner: 1 });
      return true;
    }
    if (node.opType === 'Add' || node.opType === 'Sub' || node.opType === 'Mul') {
      const [a, b] = node.inputs.map((i) => layouts.get(i));
      if (!a || !b || a.inner !== b.inner || a.segments.length !== b.segments.length || a.segments.some((s, k) => s.size !== b.segments[k]?.size || s.padded !== b.segments[k]?.padded)) return false;
      layouts.set(out, a);
      return true;
    }
    if (node.opType === 'Pad') return pad(node, first);
    if (node.opType === 'Flatten') {
      const x = node.inputs[0] as string;
      if (!first || first.inner !== 1 || attrInt(node, 'axis', 1) !== 1 || !shapes.has(x)) return false;
      const spatial = shapes.get(x).dims.slice(2).reduce((a, d) => a * d, 1);
      layouts.set(out, { segments: first.segments, inner: spatial });
      return true;
    }
    if (node.opType === 'Gemm') return gemm(node, first);
    return false;
  }

  function batchNorm(node: Node, layout: ChannelLayout | undefined): boolean {
    if (!layout || layout.inner !== 1) return false;
    const params = node.inputs.slice(1, 5);
    if (params.length !== 4 || node.outputs.filter((o) => o !== '').length !== 1) return false;
    const map = indexMap(layout);
    const { padded } = total(layout);
    // Padding channels: scale 0, bias 0, mean 0, variance 1, so they come out 0.
    for (const [k, name] of params.entries()) {
      if (!float(name)) return false;
      widenings.set(name, { dims: [padded], fill: k === 3 ? 1 : 0, place: (values, out) => values.forEach((v, c) => (out[map[c] as number] = v)) });
    }
    layouts.set(node.outputs[0] as string, layout);
    return true;
  }

  /** A constant-mode Pad that pads no channel. */
  function pad(node: Node, layout: ChannelLayout | undefined): boolean {
    if (!layout || layout.inner !== 1) return false;
    const pads = padsOf(node);
    const rank = pads ? pads.length / 2 : 0;
    if (!pads || pads[1] !== 0 || pads[rank + 1] !== 0 || (node.inputs[3] ?? '') !== '') return false;
    layouts.set(node.outputs[0] as string, layout);
    return true;
  }

  function padsOf(node: Node): readonly number[] | undefined {
    const fromAttr = attrInts(node, 'pads');
    if (fromAttr) return fromAttr;
    const name = node.inputs[1];
    const init = name ? inits.get(name) : undefined;
    if (init) return [...(init.data as BigInt64Array)].map(Number);
    const producer = model.graph.nodes.find((n) => n.opType === 'Constant' && n.outputs[0] === name);
    const value = producer ? constantNodeValue(producer) : undefined;
    return value?.data instanceof BigInt64Array ? [...value.data].map(Number) : undefined;
  }

  /** A Gemm reading padded features (transA 0): its weight gets zero rows or columns for them; its output is not padded. */
  function gemm(node: Node, layout: ChannelLayout | undefined): boolean {
    const wName = node.inputs[1] as string;
    const w = float(wName);
    if (!layout || !w || w.dims.length !== 2 || attrInt(node, 'transA', 0) !== 0) return false;
    const transB = attrInt(node, 'transB', 0) === 1;
    const [rows, cols] = w.dims as [number, number];
    const features = transB ? cols : rows;
    if (total(layout).size * layout.inner !== features) return false;
    const map = indexMap(layout);
    const pin = total(layout).padded * layout.inner;
    widenings.set(wName, {
      dims: transB ? [rows, pin] : [pin, cols],
      fill: 0,
      place: transB
        ? (values, out) => {
            for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * pin + (map[c] as number)] = values[r * cols + c] as number;
          }
        : (values, out) => {
            for (let r = 0; r < rows; r++) out.set(values.subarray(r * cols, (r + 1) * cols), (map[r] as number) * cols);
          },
    });
    return true;
  }
}
