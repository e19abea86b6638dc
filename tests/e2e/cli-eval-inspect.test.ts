import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { saveModel } from '../../src/onnx/model.js';
import { makeTmp, writeNpy } from '../data/helpers.js';
import { BUNDLED, jsonOf, safer, type CliResult } from '../helpers/cli.js';
import { floatValue, makeModel, node } from '../helpers/models.js';

interface EvalJson { accuracy: number; loss: number; count: number; correct: number; imagesPerSecond: number }

const reference = JSON.parse(readFileSync('tests/fixtures/reference/bundled-eval.json', 'utf8')) as { accuracy: number; loss: number; count: number };

/** A bad-input run: exit 1, one line on stderr that names `file`, no stack trace. */
function expectCleanError(r: CliResult, file: string, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('safer eval', () => {
  it('matches the recorded PyTorch evaluation of the bundled model within 0.1 percentage points', () => {
    const r = jsonOf<EvalJson>(safer(['eval', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--json']));
    expect(r.count).toBe(reference.count);
    expect(Math.abs(r.accuracy - reference.accuracy)).toBeLessThanOrEqual(0.001);
    expect(Math.abs(r.loss - reference.loss)).toBeLessThan(1e-4);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
  });

  it('runs on the bundled default without arguments', () => {
    const r = safer(['eval']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/accuracy\s+\d+\.\d+% \(\d+\/2000\)/);
  });

  it('honours --limit and odd batch sizes (same accuracy whatever the batching)', () => {
    const a = jsonOf<EvalJson>(safer(['eval', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '301', '--batch', '7', '--json']));
    const b = jsonOf<EvalJson>(safer(['eval', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '301', '--batch', '500', '--json']));
    expect(a.count).toBe(301);
    expect(a.correct).toBe(b.correct);
    expect(a.loss).toBeCloseTo(b.loss, 5);
  });

  it('reads the real Fashion-MNIST test set (IDX .gz) with declared scaling', () => {
    const r = jsonOf<EvalJson>(safer(['eval', BUNDLED.model, '--data', '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz',
      '--labels', '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz', '--scale', String(1 / 255), '--limit', '1000', '--json']));
    expect(r.count).toBe(1000);
    expect(r.accuracy).toBeGreaterThan(0.85);
  });
});

describe('safer eval and inspect on bad input', () => {
  const tmp = makeTmp();
  const images = BUNDLED.images;
  const labels = BUNDLED.labels;

  it('missing model file', () => {
    expectCleanError(safer(['eval', tmp.path('missing.onnx'), '--data', images, '--labels', labels]), 'missing.onnx', /cannot read model file/);
  });
  it('truncated model', () => {
    const bytes = readFileSync(BUNDLED.model);
    writeFileSync(tmp.path('cut.onnx'), bytes.subarray(0, bytes.length >> 1));
    expectCleanError(safer(['inspect', tmp.path('cut.onnx')]), 'cut.onnx', /not a valid ONNX model \(protobuf decoding failed: index out of range: \d+ \+ \d+ > \d+\); is the file truncated or not ONNX\?$/);
  });
  it('a file that is not ONNX', () => {
    writeFileSync(tmp.path('notes.onnx'), 'just some text\n');
    expectCleanError(safer(['inspect', tmp.path('notes.onnx')]), 'notes.onnx', /notes\.onnx: not a valid ONNX model \(protobuf decoding failed: .+\); is the file truncated or not ONNX\?$/);
  });
  it('a model with no weight layers', () => {
    saveModel(makeModel({ nodes: [node('Relu', ['x'], ['y'])], initializers: [], inputs: [floatValue('x', ['N', 10])], outputs: [floatValue('y', ['N', 10])] }), tmp.path('relu.onnx'));
    expectCleanError(safer(['inspect', tmp.path('relu.onnx')]), 'relu.onnx', /no weight layers/);
  });
  it('data whose shape does not fit the model input', () => {
    writeNpy(tmp.path('wide.npy'), '<f4', [4, 1, 32, 32], new Float32Array(4 * 32 * 32));
    writeNpy(tmp.path('four.npy'), '<i8', [4], [0, 1, 2, 3]);
    expectCleanError(safer(['eval', BUNDLED.model, '--data', tmp.path('wide.npy'), '--labels', tmp.path('four.npy')]), 'wide.npy', /\[1, 32, 32\].*expects \[N, 1, 28, 28\]/);
  });
  it('label count different from image count', () => {
    writeNpy(tmp.path('three.npy'), '<i8', [3], [0, 1, 2]);
    expectCleanError(safer(['eval', BUNDLED.model, '--data', images, '--labels', tmp.path('three.npy')]), 'three.npy', /3 labels but .* 2000 samples/);
  });
  it('an unsupported .npy dtype', () => {
    expectCleanError(safer(['eval', BUNDLED.model, '--data', 'tests/fixtures/data/bad-complex.npy', '--labels', labels]), 'bad-complex.npy', /has unsupported dtype <c8; supported dtypes: <f4 \(float32\), .+; convert it, e\.g\. arr\.astype\(numpy\.float32\)$/);
  });
  it('a corrupt .gz', () => {
    const gz = gzipSync(Buffer.alloc(16 + 28 * 28 * 3, 1));
    const middle = gz.length >> 1;
    gz[middle] = (gz[middle] as number) ^ 0xff;
    gz[middle + 1] = (gz[middle + 1] as number) ^ 0xff;
    writeFileSync(tmp.path('broken-idx3-ubyte.gz'), gz);
    expectCleanError(safer(['eval', BUNDLED.model, '--data', tmp.path('broken-idx3-ubyte.gz'), '--labels', labels]), 'broken-idx3-ubyte.gz', /^error: corrupt gzip stream in \S+broken-idx3-ubyte\.gz \(incorrect data check\); the file is damaged or incomplete, download it again$/);
  });
  it('labels outside the model classes', () => {
    writeNpy(tmp.path('one-image.npy'), '<f4', [1, 1, 28, 28], new Float32Array(784));
    writeNpy(tmp.path('label-12.npy'), '<i8', [1], [12]);
    expectCleanError(safer(['eval', BUNDLED.model, '--data', tmp.path('one-image.npy'), '--labels', tmp.path('label-12.npy')]), 'one-image.npy', /label 12 .* 10 classes/);
  });
  it('unknown options and missing values say how to fix them', () => {
    const r = safer(['eval', '--bogus']);
    expect(r.code).toBe(2); // a usage error
    expect(r.stderr).toMatch(/unknown option --bogus .*safer eval --help/);
    expect(safer(['eval', BUNDLED.model]).stderr).toMatch(/--data is required/);
  });
  it('--help on every command, and the main help lists them all (each command module is loaded on demand)', () => {
    const commands = ['assess', 'inspect', 'eval', 'grad', 'sweep', 'worker', 'score', 'bench', 'dataset', 'budget', 'report'];
    for (const command of commands) {
      const r = safer([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`usage: safer ${command}`));
    }
    const listed = [...safer(['--help']).stdout.matchAll(/^ {2}(\w+) {2,}\S/gm)].map((m) => m[1]);
    expect(listed).toEqual(commands);
    const unknown = safer(['sweeep']);
    expect(unknown.code).toBe(2); // a usage error
    expect(unknown.stderr).toMatch(/unknown command "sweeep"; commands: assess, inspect, eval, grad, sweep, worker, score, bench, dataset, budget, report/);
  });
});

describe('safer inspect', () => {
  it('lists the bundled layers as JSON', () => {
    const r = jsonOf<{ layers: { name: string; op: string; shape: number[]; params: number; flops: number; index: number }[] }>(safer(['inspect', BUNDLED.model, '--json']));
    expect(r.layers.map((l) => l.name)).toEqual(['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc1.weight', 'fc2.weight']);
    expect(r.layers[0]).toMatchObject({ op: 'Conv', shape: [16, 1, 3, 3], params: 160, flops: 2 * 16 * 28 * 28 * 9, index: 0 });
  });
});
