/**
 * docs/bad-inputs.md, kept in step: every row of its table is run here. The row names a case (its
 * input is built by SETUPS below), the command line, the exit code and the stderr line it gets.
 * Placeholders: <tmp> (this test's folder), <root> (the repository), <model>, <images>, <labels>
 * (the bundled ones), <pid> (a running process: this test's), <dead> (a pid that has exited);
 * "…" in a message matches anything. An error's stderr is exactly that one line; a warning or
 * note is one line among the output of a run that succeeds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import protoModule from 'onnx-proto';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { idxBytes, makeTmp, npyBytes, writeBytes } from '../data/helpers.js';
import { BUNDLED, ROOT, safer } from '../helpers/cli.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);
const T = (name: string): string => tmp.path(name);
const DEAD = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

/** The first `n` bundled images as float32 values [n, 1, 28, 28]. */
function bundled(n: number): Float32Array {
  const bytes = readFileSync(BUNDLED.images);
  const header = bytes.readUInt16LE(8);
  return new Float32Array(new Uint8Array(bytes.subarray(10 + header, 10 + header + n * 784 * 4)).buffer);
}
const labels20 = (): string => writeBytes(T('labels-20.npy'), npyBytes('<i8', [20], Array.from({ length: 20 }, (_, i) => i % 10)));
const { onnx } = protoModule;
const bundledProto = () => onnx.ModelProto.decode(readFileSync(BUNDLED.model));

/** Builds the input files of each case in <tmp>. */
const SETUPS: Record<string, () => void> = {
  'empty-npy': () => writeBytes(T('empty.npy'), npyBytes('<f4', [0, 1, 28, 28], [])),
  'empty-idx-gz': () => writeBytes(T('empty-idx3-ubyte.gz'), gzipSync(idxBytes('uint8', [0, 28, 28], []))),
  'empty-folder': () => mkdirSync(T('no-images/cat'), { recursive: true }),
  'zero-dim': () => writeBytes(T('hollow.npy'), npyBytes('<f4', [5, 1, 0, 28], [])),
  'nan-pixel': () => {
    const x = bundled(20);
    x[3 * 784 + 100] = NaN;
    writeBytes(T('nan.npy'), npyBytes('<f4', [20, 1, 28, 28], x));
    labels20();
  },
  'inf-pixel-allowed': () => {
    const x = bundled(20);
    x[5 * 784] = Infinity;
    writeBytes(T('inf.npy'), npyBytes('<f4', [20, 1, 28, 28], x));
    labels20();
  },
  'uint8-no-scale': () => {
    writeBytes(T('pixels.npy'), npyBytes('|u1', [20, 1, 28, 28], Array.from(bundled(20), (v) => Math.round(v * 255))));
    labels20();
  },
  'nhwc-npy': () => {
    const x = bundled(20);
    writeBytes(T('hwc.npy'), npyBytes('<f4', [20, 28, 28, 1], x));
    labels20();
  },
  'labels-cut-gz': () => writeBytes(T('labels-cut.gz'), readFileSync('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz').subarray(0, 3000)),
  'labels-count': () => labels20(),
  'label-out-of-range': () => {
    writeBytes(T('x20.npy'), npyBytes('<f4', [20, 1, 28, 28], bundled(20)));
    writeBytes(T('labels-12.npy'), npyBytes('<i8', [20], Array.from({ length: 20 }, (_, i) => (i === 7 ? 12 : i % 10))));
  },
  'huge-png': () => {
    const image = new PNG({ width: 28, height: 28 });
    const bytes = new Uint8Array(PNG.sync.write(image));
    const view = new DataView(bytes.buffer);
    view.setUint32(16, 30000, false);
    view.setUint32(20, 30000, false);
    view.setUint32(29, crc32(bytes.subarray(12, 29)), false);
    mkdirSync(T('huge/a'), { recursive: true });
    writeFileSync(T('huge/a/0.png'), bytes);
  },
  'idx-huge-channels': () => {
    const bytes = idxBytes('uint8', [12, 28, 28], new Uint8Array(12 * 784));
    const four = new Uint8Array(bytes.length + 4);
    four.set(bytes.subarray(0, 16));
    four.set(bytes.subarray(16), 20);
    four[3] = 4;
    new DataView(four.buffer).setUint32(8, 0x80000000, false);
    new DataView(four.buffer).setUint32(16, 28, false);
    writeFileSync(T('channels-idx4.gz'), gzipSync(four)); // dims [12, 2147483648, 28, 28]: far fewer bytes
  },
  'npy-huge-header': () => {
    const bytes = new Uint8Array(64);
    bytes.set([0x93, ...Buffer.from('NUMPY'), 2, 0]);
    new DataView(bytes.buffer).setUint32(8, 0xfffffff0, true); // a version 2.0 header "of 4 GiB"
    writeFileSync(T('header.npy'), bytes);
  },
  'npz-huge-member': () => {
    const zip = zipSync({ 'x.npy': npyBytes('<f4', [2, 3], [1, 2, 3, 4, 5, 6]), 'y.npy': npyBytes('<i8', [2], [0, 1]) }, { level: 6 });
    const view = new DataView(zip.buffer);
    for (let i = 0; i + 4 <= zip.length; i++) {
      if (view.getUint32(i, true) === 0x04034b50) view.setUint32(i + 22, 0xfffffff0, true);
      if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, 0xfffffff0, true);
    }
    writeFileSync(T('bomb.npz'), zip);
  },
  'onnx-truncated': () => writeBytes(T('cut.onnx'), readFileSync(BUNDLED.model).subarray(0, 5000)),
  'onnx-not-onnx': () => writeFileSync(T('notes.onnx'), 'these are my notes, not a model\n'),
  'onnx-negative-dims': () => {
    const proto = bundledProto();
    const init = proto.graph!.initializer!.find((i) => i.name === 'fc1.weight')!;
    init.dims = [-128, 576];
    writeFileSync(T('negative.onnx'), onnx.ModelProto.encode(proto).finish());
  },
  'onnx-huge-dims': () => {
    const proto = bundledProto();
    const init = proto.graph!.initializer!.find((i) => i.name === 'fc1.weight')!;
    init.dims = [1e9, 1e9];
    writeFileSync(T('huge.onnx'), onnx.ModelProto.encode(proto).finish());
  },
  'onnx-external-outside': () => {
    const proto = bundledProto();
    const init = proto.graph!.initializer!.find((i) => i.name === 'fc2.bias')!;
    init.rawData = new Uint8Array(0);
    init.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    init.externalData = [{ key: 'location', value: '../../etc/hostname' }];
    writeFileSync(T('outside.onnx'), onnx.ModelProto.encode(proto).finish());
  },
  'onnx-missing-input': () => {
    const proto = bundledProto();
    proto.graph!.node![0]!.input![0] = 'inp\nut';
    writeFileSync(T('dangling.onnx'), onnx.ModelProto.encode(proto).finish());
  },
  'score-out-folder': () => mkdirSync(T('out-folder'), { recursive: true }),
  'score-out-below-file': () => writeFileSync(T('a-file'), 'x'),
  'score-out-missing-folder': () => {},
  'bench-out-below-file': () => writeFileSync(T('a-file'), 'x'),
  'assess-out-file': () => writeFileSync(T('report-file'), 'x'),
  'sweep-out-folder': () => mkdirSync(T('out-folder'), { recursive: true }),
  'report-out-below-file': () => writeFileSync(T('a-file'), 'x'),
  'sweep-locked': () => writeFileSync(T('locked.jsonl.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-12-01T00:00:00.000Z' })),
  'sweep-stale-lock': () => writeFileSync(T('stale.jsonl.lock'), JSON.stringify({ pid: DEAD, host: hostname(), started: '2026-12-01T00:00:00.000Z' })),
  'sweep-other-model': () => {
    const line = readFileSync(`${ROOT}zoo/dataset/mlp.jsonl`, 'utf8').split('\n')[0];
    writeFileSync(T('other.jsonl'), `${line}\n`);
  },
  'perturb-twice': () => {},
  'perturb-same-level': () => {},
  'fisher-lstm': () => {},
  'rows-malformed': () => {
    const lines = readFileSync(`${ROOT}zoo/dataset/mlp.jsonl`, 'utf8').split('\n').slice(0, 5);
    lines[2] = '{"layer": "fc1.weight", "perturbation": "prune:0.5"';
    writeFileSync(T('malformed.jsonl'), lines.join('\n') + '\n');
  },
};

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

interface Row {
  id: string;
  args: string[];
  exit: number;
  message: string;
}

/** The rows of the table in docs/bad-inputs.md whose first column is a `case`. */
function docRows(): Row[] {
  const text = readFileSync(`${ROOT}docs/bad-inputs.md`, 'utf8');
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|'));
    const id = /^`([a-z0-9-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!id || cells.length < 5) continue;
    const command = /^`safer (.*)`$/.exec(cells[2] ?? '')?.[1];
    const message = /^`(.*)`$/.exec(cells[4] ?? '')?.[1];
    if (command === undefined || message === undefined) throw new Error(`docs/bad-inputs.md: row ${id}: command and message must be in backticks`);
    rows.push({ id, args: command.split(' '), exit: Number(cells[3]), message });
  }
  return rows;
}

const substitute = (text: string): string =>
  text
    .replaceAll('<tmp>', tmp.dir)
    .replaceAll('<root>/', ROOT)
    .replaceAll('<model>', BUNDLED.model)
    .replaceAll('<images>', BUNDLED.images)
    .replaceAll('<labels>', BUNDLED.labels)
    .replaceAll('<pid>', String(process.pid))
    .replaceAll('<dead>', String(DEAD))
    .replaceAll('<host>', hostname());

const unsubstitute = (text: string): string =>
  text
    .replaceAll(tmp.dir, '<tmp>')
    .replaceAll(BUNDLED.model, '<model>')
    .replaceAll(BUNDLED.images, '<images>')
    .replaceAll(BUNDLED.labels, '<labels>')
    .replaceAll(ROOT, '<root>/');

function pattern(message: string): RegExp {
  const parts = substitute(message).split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

const rows = docRows();

describe('docs/bad-inputs.md', () => {
  it('lists every case built here, once, and builds every case it lists', () => {
    expect(rows.map((r) => r.id).sort()).toEqual(Object.keys(SETUPS).sort());
  });

  it.each(rows.map((r) => [r.id, r] as const))('%s', (id, row) => {
    SETUPS[id]?.();
    const r = safer(row.args.map(substitute));
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    const shown = `exit ${r.code}, stderr:\n${r.stderr}`;
    // SAFER_DOC_PRINT=1 prints what each case got, in the table's terms, to write the table from.
    if (process.env.SAFER_DOC_PRINT) console.log(`ROW ${id} ${r.code} ${unsubstitute(r.stderr.trim())}`);
    expect(r.code, shown).toBe(row.exit);
    if (row.exit !== 0) expect(lines, shown).toHaveLength(1);
    expect(lines.some((l) => pattern(row.message).test(l)), `expected a stderr line ${pattern(row.message)}\n${shown}`).toBe(true);
    expect(r.stderr, shown).not.toMatch(/internal error/);
  });
});
