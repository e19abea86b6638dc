import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protoModule from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.js';
import { loadModel, parseModel, saveModel, serializeModel } from '../../src/onnx/model.js';
import { OrtRunner, makeTensor } from '../../src/runtime/session.js';
import { tinyMlp } from '../helpers/models.js';

const { onnx } = protoModule;
const tmp = mkdtempSync(join(tmpdir(), 'safer-codec-'));
const CONV2D = '/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d/model.onnx';

function modelWithTensor(tensor: protoModule.onnx.ITensorProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Identity', input: [tensor.name ?? ''], output: ['y'], name: 'id' }],
      initializer: [tensor],
      output: [{ name: 'y' }],
    },
  })).finish();
}

describe('ONNX codec', () => {
  it('copies raw_data that sits at an unaligned offset of a larger buffer', () => {
    const values = new Float32Array([1.5, -2.25, 3.125]);
    const backing = new Uint8Array(64);
    backing.set(new Uint8Array(values.buffer), 13); // odd offset
    const raw = backing.subarray(13, 13 + 12);
    const model = parseModel(modelWithTensor({ name: 'w', dims: [3], dataType: 1, rawData: raw }));
    const w = model.graph.initializers.get('w');
    expect(w?.data).toBeInstanceOf(Float32Array);
    expect([...(w?.data as Float32Array)]).toEqual([1.5, -2.25, 3.125]);
    backing.fill(0); // the decoded tensor must not share the file buffer
    expect([...(w?.data as Float32Array)]).toEqual([1.5, -2.25, 3.125]);
  });

  it('reads typed fields: float_data, int64_data, double_data, int32_data', () => {
    const f = parseModel(modelWithTensor({ name: 'w', dims: [2, 2], dataType: 1, floatData: [1, 2, 3, 4] }));
    expect([...(f.graph.initializers.get('w')?.data as Float32Array)]).toEqual([1, 2, 3, 4]);
    const i = parseModel(modelWithTensor({ name: 'w', dims: [3], dataType: 7, int64Data: [-1, 0, 2 ** 40] }));
    expect([...(i.graph.initializers.get('w')?.data as BigInt64Array)]).toEqual([-1n, 0n, 2n ** 40n]);
    const d = parseModel(modelWithTensor({ name: 'w', dims: [2], dataType: 11, doubleData: [0.1, 0.2] }));
    expect([...(d.graph.initializers.get('w')?.data as Float64Array)]).toEqual([0.1, 0.2]);
    const b = parseModel(modelWithTensor({ name: 'w', dims: [2], dataType: 3, int32Data: [-5, 7] }));
    expect([...(b.graph.initializers.get('w')?.data as Int8Array)]).toEqual([-5, 7]);
  });

  it('rejects a tensor whose byte count does not match its dims', () => {
    expect(() => parseModel(modelWithTensor({ name: 'w', dims: [4], dataType: 1, rawData: new Uint8Array(12) }), 'm.onnx'))
      .toThrow(/initializer "w": holds 12 bytes, but dims \[4\] need 16/);
  });

  it('loads tensors stored in an external data file', () => {
    const values = new Float32Array([9, 8, 7, 6]);
    const padding = new Uint8Array(8);
    writeFileSync(join(tmp, 'weights.bin'), Buffer.concat([padding, new Uint8Array(values.buffer)]));
    const bytes = modelWithTensor({
      name: 'w', dims: [4], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '8' }, { key: 'length', value: '16' }],
    });
    writeFileSync(join(tmp, 'ext.onnx'), bytes);
    expect([...(loadModel(join(tmp, 'ext.onnx')).graph.initializers.get('w')?.data as Float32Array)]).toEqual([9, 8, 7, 6]);
    writeFileSync(join(tmp, 'ext-missing.onnx'), modelWithTensor({
      name: 'w', dims: [4], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: 'nowhere.bin' }],
    }));
    expect(() => loadModel(join(tmp, 'ext-missing.onnx'))).toThrow(/external data file "nowhere.bin" not found/);
  });

  it('round-trips a PyTorch-exported model and onnxruntime runs the written file', async () => {
    if (!existsSync(CONV2D)) return expect.fail(`missing ${CONV2D}: install libonnx-testdata`);
    const model = loadModel(CONV2D);
    const again = parseModel(serializeModel(model));
    expect(again.graph.nodes.map((n) => n.opType)).toEqual(['Conv']);
    expect([...again.graph.initializers.keys()]).toEqual([...model.graph.initializers.keys()]);
    for (const [name, init] of model.graph.initializers) {
      expect([...again.graph.initializers.get(name)!.data as Float32Array]).toEqual([...init.data as Float32Array]);
    }
    expect(again.opsets.get('')).toBe(model.opsets.get(''));
    const runner = await OrtRunner.create(again, 'conv');
    const out = await runner.run({ '0': makeTensor('float32', new Float32Array(2 * 3 * 7 * 5).fill(1), [2, 3, 7, 5]) });
    expect(out['3']?.dims).toEqual([2, 4, 5, 4]);
    await runner.release();
  });

  it('saves atomically and reloads identically', () => {
    const path = join(tmp, 'mlp.onnx');
    saveModel(tinyMlp(), path);
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(false);
    const back = loadModel(path);
    expect(back.graph.nodes.map((n) => n.name)).toEqual(['fc1', 'Relu_r', 'Transpose_Vt', 'fc2']);
    expect(back.graph.nodes[0]?.attributes.get('transB')).toEqual({ type: 'int', value: 1 });
    expect(back.graph.nodes[2]?.attributes.get('perm')).toEqual({ type: 'ints', value: [1, 0] });
  });
});

describe('ONNX load errors', () => {
  it('names a missing file', () => {
    expect(() => loadModel(join(tmp, 'nope.onnx'))).toThrow(ModelLoadError);
    expect(() => loadModel(join(tmp, 'nope.onnx'))).toThrow(/nope\.onnx: cannot read model file \(ENOENT\)/);
  });
  it('rejects an empty file', () => {
    writeFileSync(join(tmp, 'empty.onnx'), '');
    expect(() => loadModel(join(tmp, 'empty.onnx'))).toThrow(/empty\.onnx: file is empty/);
  });
  it('rejects a text file', () => {
    writeFileSync(join(tmp, 'text.onnx'), 'hello, this is not a model\n'.repeat(20));
    expect(() => loadModel(join(tmp, 'text.onnx'))).toThrow(ModelLoadError);
  });
  it('rejects a truncated model', () => {
    const bytes = readFileSync(CONV2D);
    writeFileSync(join(tmp, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(() => loadModel(join(tmp, 'cut.onnx'))).toThrow(/cut\.onnx: .*(truncated|not an ONNX|holds)/);
  });
  it('rejects a directory', () => {
    expect(() => loadModel(tmp)).toThrow(/is a directory/);
  });
});
