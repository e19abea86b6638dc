/**
 * Seeded fuzzing of the readers of untrusted files: ONNX models, .npy, .npz, IDX (raw and gzip),
 * PNG/JPEG folders and results JSONL. Every mutant of a real file must give a result or a
 * one-line SaferError, within a time and memory bound. Used by fuzz.test.ts (a quick slice in the
 * unit suite; SAFER_FUZZ_CASES=N for a long run, recorded in docs/bad-inputs.md).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import protoModule from 'onnx-proto';
import { PNG } from 'pngjs';
import { openEvalData, type OpenEvalDataOptions } from '../../src/data/index.js';
import { SaferError } from '../../src/errors.js';
import { discoverLayers } from '../../src/layers/discover.js';
import { topologicalOrder } from '../../src/onnx/graph.js';
import { loadModelFile } from '../../src/onnx/model.js';
import { readRows } from '../../src/rows/read.js';
import { tabulateRows } from '../../src/rows/summary.js';
import { classifierIO } from '../../src/runtime/classifier.js';
import { idxBytes, npyBytes } from '../data/helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const FASHION = '/usr/share/datasets/fashion-mnist';

/** Bounds per case. */
export const BOUNDS = { seconds: 2, megabytes: 256 };

/** A small deterministic generator (mulberry32). */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** One mutant: its bytes and what was done, for the failure report. */
export interface Mutant {
  bytes: Uint8Array;
  what: string;
}

type Mutator = (bytes: Uint8Array, rng: Random) => Mutant;

const truncate: Mutator = (bytes, rng) => {
  const at = rng.next() < 0.3 ? rng.int(Math.min(bytes.length, 256)) : rng.int(bytes.length);
  return { bytes: bytes.slice(0, at), what: `truncated to ${at} bytes` };
};

const flip: Mutator = (bytes, rng) => {
  const out = bytes.slice();
  const k = 1 + rng.int(8);
  const where: number[] = [];
  for (let i = 0; i < k && out.length > 0; i++) {
    const at = rng.next() < 0.5 ? rng.int(Math.min(out.length, 128)) : rng.int(out.length);
    out[at] = rng.int(256);
    where.push(at);
  }
  return { bytes: out, what: `bytes ${where.join(',')} replaced` };
};

/** Overwrites 4 bytes somewhere in the first 64 with a big, zero or "negative" (high-bit) 32-bit value. */
const hugeWord: Mutator = (bytes, rng) => {
  const out = bytes.slice();
  const at = rng.int(Math.max(1, Math.min(out.length - 4, 64)));
  const value = rng.pick([0xffffffff, 0x80000000, 0x7fffffff, 0x00ffffff, 0, 1 << 20]);
  new DataView(out.buffer).setUint32(at, value, rng.next() < 0.5);
  return { bytes: out, what: `uint32 at ${at} set to 0x${value.toString(16)}` };
};

const GENERIC: readonly Mutator[] = [truncate, flip, flip, hugeWord];

/** The cases of one kind of file: base files, mutators that know the format, and the reader to run. */
export interface Target {
  readonly name: string;
  readonly files: readonly { name: string; bytes: Uint8Array }[];
  readonly mutators: readonly Mutator[];
  /** Writes the mutant under `dir` and reads it as safer would; resolves or throws. */
  run(dir: string, name: string, bytes: Uint8Array): Promise<unknown>;
}

/** Reads every batch and the fingerprint, as the sweep does. */
async function consume(options: OpenEvalDataOptions): Promise<number> {
  const data = await openEvalData(options);
  let n = 0;
  for await (const batch of data.batches(64)) n += batch.count;
  await data.fingerprint();
  return n;
}

// ---------------------------------------------------------------- .npy

function npyWithHeader(header: string, body: Uint8Array): Uint8Array {
  let text = header;
  text += ' '.repeat(63 - ((10 + text.length) % 64)) + '\n';
  const out = new Uint8Array(10 + text.length + body.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(Buffer.from(text, 'latin1'), 10);
  out.set(body, 10 + text.length);
  return out;
}

const npyHeader: Mutator = (bytes, rng) => {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const body = bytes.subarray(10 + length);
  const shape = rng.pick(['(4294967296, 28, 28)', '(-1, 28)', '(0, 1, 28, 28)', '(3, 0)', '(2, 1e9)', '(99999999999999999999,)', '()', '(1, 2, 3, 4, 5, 6, 7, 8, 9)', '(2147483647, 2147483647)']);
  const descr = rng.pick(['<f4', '<f2', '<c8', '|b1', '|O', '<U3', '>f4', '<f8', '|u1', '<i8', 'V8']);
  return { bytes: npyWithHeader(`{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`, body), what: `header descr ${descr} shape ${shape}` };
};

// ---------------------------------------------------------------- IDX

const idxDims: Mutator = (bytes, rng) => {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const ndim = out[3] ?? 0;
  const axis = rng.int(Math.max(1, ndim));
  const value = rng.pick([0, 0xffffffff, 0x80000000, 100000, 1 << 16]);
  if (4 + 4 * axis + 4 <= out.length) view.setUint32(4 + 4 * axis, value, false);
  if (rng.next() < 0.3) out[2] = rng.pick([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0a, 0x0f]);
  if (rng.next() < 0.2) out[3] = rng.pick([0, 1, 2, 4, 255]);
  return { bytes: out, what: `IDX dim ${axis} = ${value}, type 0x${out[2]!.toString(16)}, ndim ${out[3]}` };
};

const gzipped = (inner: Mutator): Mutator => (bytes, rng) => {
  const m = inner(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes, rng);
  return { bytes: gzipSync(m.bytes), what: `gzip of (${m.what})` };
};

/** A gzip stream that inflates to far more than the header declares, or the header declares far more than it holds. */
const gzipBomb: Mutator = (_bytes, rng) => {
  const count = rng.pick([10, 100_000, 0xffffffff]);
  const header = idxBytes('uint8', [count, 28, 28], []);
  const zeros = new Uint8Array(rng.pick([8, 32]) * 2 ** 20);
  const all = new Uint8Array(header.length + zeros.length);
  all.set(header);
  return { bytes: gzipSync(all, { level: 1 }), what: `gzip bomb: header ${count}×28×28, ${zeros.length >> 20} MiB of zeros` };
};

// ---------------------------------------------------------------- .npz

/** Sets the uncompressed (and compressed) sizes of every zip header to a huge value. */
const npzSizes: Mutator = (bytes, rng) => {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const value = rng.pick([0xfffffff0, 0x7fffffff, 0x40000000, 0, 1]);
  const field = rng.pick([18, 22]); // compressed, uncompressed size in the local header (+4 in the central one)
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50 && i + field + 4 <= out.length) view.setUint32(i + field, value, true);
    if (sig === 0x02014b50 && i + field + 6 <= out.length) view.setUint32(i + field + 2, value, true);
  }
  return { bytes: out, what: `zip ${field === 22 ? 'uncompressed' : 'compressed'} sizes = 0x${value.toString(16)}` };
};

/** A member that inflates to much more than anything else in the archive (a zip bomb within reason). */
const npzBomb: Mutator = (_bytes, rng) => {
  const rows = rng.pick([1000, 10_000]);
  const x = npyBytes('|u1', [rows, 28, 28], new Uint8Array(rows * 784));
  const y = npyBytes('<i8', [rows], new Uint8Array(rows));
  return { bytes: zipSync({ 'x.npy': x, 'y.npy': y }, { level: 1 }), what: `npz bomb: ${rows}×28×28 zeros (${(x.length / 2 ** 20).toFixed(0)} MiB inflated)` };
};

// ---------------------------------------------------------------- images

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Declares a huge PNG (IHDR width/height) with a valid CRC, so the decoder trusts it. */
const pngHuge: Mutator = (bytes, rng) => {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const [w, h] = rng.pick([[65535, 65535], [30000, 30000], [1, 0x7fffffff], [0, 28], [100000, 1]] as const);
  view.setUint32(16, w, false);
  view.setUint32(20, h, false);
  view.setUint32(29, crc32(out.subarray(12, 29)), false);
  return { bytes: out, what: `PNG IHDR ${w}×${h}` };
};

/** Declares a huge JPEG frame (SOF0 height/width). */
const jpegHuge: Mutator = (bytes, rng) => {
  const out = bytes.slice();
  const [w, h] = rng.pick([[65535, 65535], [30000, 30000], [0, 28], [65535, 1]] as const);
  for (let i = 2; i + 9 < out.length; i++) {
    if (out[i] === 0xff && out[i + 1] === 0xc0) {
      new DataView(out.buffer).setUint16(i + 5, h, false);
      new DataView(out.buffer).setUint16(i + 7, w, false);
      break;
    }
  }
  return { bytes: out, what: `JPEG SOF0 ${w}×${h}` };
};

// ---------------------------------------------------------------- ONNX

const { onnx } = protoModule;

/** Re-encodes the model with one initializer's dims changed (huge, negative, or not matching its data). */
const onnxDims: Mutator = (bytes, rng) => {
  const proto = onnx.ModelProto.decode(bytes);
  const inits = proto.graph?.initializer ?? [];
  const init = inits[rng.int(inits.length)];
  const dims = rng.pick([[1e9, 1e9], [-1, 4], [2 ** 40], [0], [3, 5, 7], [2 ** 31, 2 ** 31, 2 ** 31]]);
  if (init) init.dims = dims;
  if (init && rng.next() < 0.3) init.dataType = rng.pick([0, 2, 7, 10, 11, 16, 99]);
  return { bytes: onnx.ModelProto.encode(proto).finish(), what: `initializer ${init?.name ?? '-'} dims [${dims.join(', ')}] type ${init?.dataType ?? '-'}` };
};

/** Re-encodes the model with a node rewired (a cycle, a missing input) or an external data location. */
const onnxGraph: Mutator = (bytes, rng) => {
  const proto = onnx.ModelProto.decode(bytes);
  const nodes = proto.graph?.node ?? [];
  const a = nodes[rng.int(nodes.length)];
  const b = nodes[rng.int(nodes.length)];
  const kind = rng.pick(['cycle', 'missing', 'external', 'no-output', 'huge-attr']);
  if (kind === 'cycle' && a && b && b.output?.[0]) a.input = [b.output[0], ...(a.input ?? []).slice(1)];
  if (kind === 'missing' && a) a.input = ['nowhere', ...(a.input ?? []).slice(1)];
  if (kind === 'external') {
    const init = proto.graph?.initializer?.[0];
    if (init) {
      init.rawData = new Uint8Array(0);
      init.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      init.externalData = [{ key: 'location', value: rng.pick(['../../../../etc/hostname', 'missing.bin', '/dev/zero']) }, { key: 'length', value: rng.pick(['-5', '99999999999', '16']) }];
    }
  }
  if (kind === 'no-output' && proto.graph) proto.graph.output = [];
  if (kind === 'huge-attr' && a) a.attribute = [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: Array.from({ length: 5000 }, () => 2 ** 40) }];
  return { bytes: onnx.ModelProto.encode(proto).finish(), what: `graph mutation ${kind} at ${a?.name ?? '-'}` };
};

// ---------------------------------------------------------------- results JSONL

const jsonlLines: Mutator = (bytes, rng) => {
  const lines = Buffer.from(bytes).toString('utf8').split('\n').filter((l) => l !== '');
  const i = rng.int(lines.length);
  const row = JSON.parse(lines[i] ?? '{}') as Record<string, unknown>;
  const kind = rng.pick(['duplicate', 'nested', 'huge-number', 'wrong-type', 'drop-field', 'torn', 'unicode']);
  if (kind === 'duplicate') lines.push(lines[i] ?? '');
  if (kind === 'nested') lines[i] = '['.repeat(100_000) + ']'.repeat(100_000);
  if (kind === 'huge-number') lines[i] = JSON.stringify({ ...row, seed: 1e308, count: 2 ** 60, accuracy: 1e-320 });
  if (kind === 'wrong-type') lines[i] = JSON.stringify({ ...row, [rng.pick(['layer', 'perturbation', 'seed', 'accuracy', 'model_sha256'])]: rng.pick([null, [], {}, 'x', -1, true]) });
  if (kind === 'drop-field') {
    delete row[rng.pick(['layer', 'perturbation', 'seed', 'accuracy', 'count', 'base_accuracy', 'data_sha256'])];
    lines[i] = JSON.stringify(row);
  }
  if (kind === 'unicode') lines[i] = JSON.stringify({ ...row, perturbation: 'prune:\u0000\ud800', layer: '\u202e' });
  const text = lines.join('\n') + (kind === 'torn' ? '\n{"layer": "x", "perturb' : '\n');
  return { bytes: Buffer.from(text), what: `JSONL line ${i}: ${kind}` };
};

// ---------------------------------------------------------------- the targets

/** The first `n` images and labels of the Fashion-MNIST test set as raw IDX bytes. */
function fashionSlice(n: number): { images: Uint8Array; labels: Uint8Array } {
  const images = gunzipSync(readFileSync(`${FASHION}/t10k-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${FASHION}/t10k-labels-idx1-ubyte.gz`));
  const img = new Uint8Array(images.subarray(0, 16 + n * 784));
  new DataView(img.buffer).setUint32(4, n, false);
  const lab = new Uint8Array(labels.subarray(0, 8 + n));
  new DataView(lab.buffer).setUint32(4, n, false);
  return { images: img, labels: lab };
}

function bundledSlice(n: number): Uint8Array {
  const all = readFileSync(`${ROOT}zoo/bundled/images.npy`);
  const length = all.readUInt16LE(8);
  const body = new Uint8Array(all.subarray(10 + length, 10 + length + n * 784 * 4));
  return npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 1, 28, 28), }`, body);
}

export function targets(scratch: string): Target[] {
  const fashion = fashionSlice(12);
  const goodImages = join(scratch, 'good-images-idx3');
  const goodLabels = join(scratch, 'good-labels-idx1');
  writeFileSync(goodImages, fashion.images);
  writeFileSync(goodLabels, fashion.labels);
  const fixtures = `${ROOT}tests/fixtures`;
  const file = (path: string) => ({ name: path.split('/').pop() as string, bytes: new Uint8Array(readFileSync(path)) });

  const pixels = (i: number) => fashion.images.subarray(16 + i * 784, 16 + (i + 1) * 784);
  const png = (i: number, colour: boolean): Uint8Array => {
    const image = new PNG({ width: 28, height: 28, colorType: colour ? 2 : 0 });
    for (let p = 0; p < 784; p++) image.data.set([pixels(i)[p]!, pixels(i)[p]!, colour ? 255 - pixels(i)[p]! : pixels(i)[p]!, 255], p * 4);
    return new Uint8Array(PNG.sync.write(image, { colorType: colour ? 2 : 0 }));
  };
  const jpg = (i: number): Uint8Array => {
    const rgba = Buffer.alloc(784 * 4);
    for (let p = 0; p < 784; p++) rgba.set([pixels(i)[p]!, pixels(i)[p]!, pixels(i)[p]!, 255], p * 4);
    return new Uint8Array(jpeg.encode({ data: rgba, width: 28, height: 28 }, 90).data);
  };
  const imageFolder = async (dir: string, name: string, bytes: Uint8Array): Promise<unknown> => {
    const root = join(dir, 'folder');
    mkdirSync(join(root, 'a'), { recursive: true });
    mkdirSync(join(root, 'b'), { recursive: true });
    writeFileSync(join(root, 'a', '0.png'), png(0, false));
    writeFileSync(join(root, 'b', '1.jpg'), jpg(1));
    writeFileSync(join(root, 'b', name), bytes);
    return consume({ data: root });
  };

  return [
    {
      name: 'onnx',
      files: [
        file(`${ROOT}zoo/bundled/model.onnx`),
        ...['mlp-matmul', 'tiny-convtranspose', 'resnet-mini', 'lstm-rows', 'embed-rnn'].map((m) => file(`${fixtures}/models/${m}.onnx`)),
      ],
      mutators: [...GENERIC, onnxDims, onnxGraph, onnxGraph],
      run: (dir, name, bytes) => {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        const { model } = loadModelFile(path);
        topologicalOrder(model.graph, path);
        classifierIO(model, path);
        return Promise.resolve(discoverLayers(model, undefined, path).length);
      },
    },
    {
      name: 'npy',
      files: [{ name: 'bundled-20.npy', bytes: bundledSlice(20) }, file(`${fixtures}/data/images-f4.npy`), file(`${fixtures}/data/images-f4-v2.npy`), file(`${fixtures}/data/images-f4-v3.npy`)],
      mutators: [...GENERIC, npyHeader, npyHeader],
      run: (dir, name, bytes) => {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        return consume({ data: path });
      },
    },
    {
      name: 'npz',
      files: [file(`${fixtures}/data/xy-stored.npz`), file(`${fixtures}/data/xy-deflated.npz`)],
      mutators: [...GENERIC, npzSizes, npzSizes, npzBomb],
      run: (dir, name, bytes) => {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        return consume({ data: path });
      },
    },
    {
      name: 'idx',
      files: [{ name: 'images-idx3-ubyte', bytes: fashion.images }, { name: 'images-idx3-ubyte.gz', bytes: gzipSync(fashion.images) }],
      mutators: [truncate, flip, hugeWord, idxDims, idxDims, gzipped(idxDims), gzipBomb],
      run: (dir, name, bytes) => {
        const path = join(dir, name.endsWith('.gz') || bytes[0] === 0x1f ? `${name.replace(/\.gz$/, '')}.gz` : name);
        writeFileSync(path, bytes);
        return consume({ data: path, labels: goodLabels });
      },
    },
    {
      name: 'idx-labels',
      files: [{ name: 'labels-idx1-ubyte', bytes: fashion.labels }, { name: 'labels-idx1-ubyte.gz', bytes: gzipSync(fashion.labels) }],
      mutators: [truncate, flip, hugeWord, idxDims, gzipped(idxDims)],
      run: (dir, name, bytes) => {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        return consume({ data: goodImages, labels: path });
      },
    },
    {
      name: 'images',
      files: [{ name: '2.png', bytes: png(2, true) }, { name: '3.png', bytes: png(3, false) }, { name: '4.jpg', bytes: jpg(4) }],
      mutators: [truncate, flip, flip, pngHuge, jpegHuge],
      run: imageFolder,
    },
    {
      name: 'jsonl',
      files: [{ name: 'rows.jsonl', bytes: new Uint8Array(Buffer.from(readFileSync(`${ROOT}zoo/dataset/mlp.jsonl`, 'utf8').split('\n').slice(0, 30).join('\n') + '\n')) }],
      mutators: [truncate, flip, flip, jsonlLines, jsonlLines, jsonlLines],
      run: (dir, name, bytes) => {
        const path = join(dir, name);
        writeFileSync(path, bytes);
        const read = readRows([path]);
        return Promise.resolve(tabulateRows(read.rows, read.files, read.notes).rows);
      },
    },
  ];
}

export interface Outcome {
  target: string;
  file: string;
  what: string;
  result: 'ok' | 'error';
  /** The failure, if the case broke a rule: not a one-line SaferError, too slow, too much memory. */
  failure?: string;
  seconds: number;
  megabytes: number;
}

/** Runs `cases` mutants (round-robin over targets and their files), each in a fresh folder. */
export async function fuzz(options: { seed: number; cases: number; scratch: string; only?: string }): Promise<Outcome[]> {
  const rng = new Random(options.seed);
  // Plain Uint8Array copies: Buffer.prototype.slice is a view, and a mutator must never change a base file.
  const all = targets(options.scratch)
    .filter((t) => options.only === undefined || t.name === options.only)
    .map((t) => ({ ...t, files: t.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })) }));
  const outcomes: Outcome[] = [];
  for (let i = 0; i < options.cases; i++) {
    const target = all[i % all.length] as Target;
    const base = rng.pick(target.files);
    const mutant = rng.pick(target.mutators)(base.bytes, rng);
    const dir = join(options.scratch, `case-${i}`);
    mkdirSync(dir, { recursive: true });
    // A crash of the process (an out-of-memory abort) leaves the case it died on in this file.
    if (process.env.SAFER_FUZZ_TRACE) writeFileSync(process.env.SAFER_FUZZ_TRACE, `${i} ${target.name} ${base.name}: ${mutant.what}\n`, { flag: 'a' });
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    let result: Outcome['result'] = 'ok';
    let failure: string | undefined;
    try {
      await target.run(dir, base.name, mutant.bytes);
    } catch (e) {
      result = 'error';
      if (!(e instanceof SaferError)) failure = `not a SaferError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e)}`;
      else if (e.message.includes('\n')) failure = `message of ${e.message.split('\n').length} lines: ${e.message}`;
    }
    const seconds = (performance.now() - started) / 1000;
    const megabytes = (process.memoryUsage().rss - rss) / 2 ** 20;
    if (failure === undefined && seconds > BOUNDS.seconds) failure = `took ${seconds.toFixed(2)} s`;
    if (failure === undefined && megabytes > BOUNDS.megabytes) failure = `grew the process by ${megabytes.toFixed(0)} MB`;
    outcomes.push({ target: target.name, file: base.name, what: mutant.what, result, ...(failure ? { failure } : {}), seconds, megabytes });
    rmSync(dir, { recursive: true, force: true });
  }
  return outcomes;
}
