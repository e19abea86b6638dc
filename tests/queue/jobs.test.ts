import { describe, expect, it } from 'vitest';
import { checkSweepName, jobId, jobPath, sweepName, workerPath } from '../../src/queue/jobs.js';

const model = 'a'.repeat(64);
const data = 'd'.repeat(64);

describe('queued jobs', () => {
  it('are named by a hash of model, data, layer, perturbation, seed and row format', () => {
    const id = jobId(model, data, { layer: 'conv1.weight', perturbation: 'prune:0.5', seed: 0 });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(jobId(model, data, { layer: 'conv1.weight', perturbation: 'prune:0.5', seed: 0 })).toBe(id);
    const others = [
      jobId('b'.repeat(64), data, { layer: 'conv1.weight', perturbation: 'prune:0.5', seed: 0 }),
      jobId(model, 'e'.repeat(64), { layer: 'conv1.weight', perturbation: 'prune:0.5', seed: 0 }),
      jobId(model, data, { layer: 'conv2.weight', perturbation: 'prune:0.5', seed: 0 }),
      jobId(model, data, { layer: 'conv1.weight', perturbation: 'prune:0.9', seed: 0 }),
      jobId(model, data, { layer: 'conv1.weight', perturbation: 'prune:0.5', seed: 1 }),
      jobId(model, data, { layer: 'conv1.weight', perturbation: 'prune:0.5', seed: 0 }, 1),
    ];
    expect(new Set([id, ...others]).size).toBe(7);
  });

  it('keep paths inside the enqueuing directory relative (a worker opens them under --root), others absolute', () => {
    expect(jobPath('zoo/bundled/model.onnx', '/home/a/proj')).toBe('zoo/bundled/model.onnx');
    expect(jobPath('/home/a/proj/data/x.npy', '/home/a/proj')).toBe('data/x.npy');
    expect(jobPath('../other/m.onnx', '/home/a/proj')).toBe('/home/a/other/m.onnx');
    expect(jobPath('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', '/home/a/proj')).toBe('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz');
    const files = { root: '/home/a/proj', model: 'm.onnx', data: '/usr/share/x.npy' };
    expect(workerPath('m.onnx', files, undefined)).toBe('/home/a/proj/m.onnx');
    expect(workerPath('m.onnx', files, '/scratch/copy')).toBe('/scratch/copy/m.onnx');
    expect(workerPath('/usr/share/x.npy', files, '/scratch/copy')).toBe('/usr/share/x.npy');
    expect(() => workerPath('../../etc/passwd', files, '/scratch/copy')).toThrow(/leads outside \/scratch\/copy; refused/);
  });

  it('belong to a sweep named after the model and a hash of its definition', () => {
    const definition = { model_sha256: model, data_sha256: data, perturbations: ['prune:0.5'], seeds: 5, layers: null };
    const name = sweepName('models/resnet 18.onnx', definition);
    expect(name).toMatch(/^resnet_18-[0-9a-f]{12}$/);
    expect(sweepName('models/resnet 18.onnx', { ...definition, seeds: 3 })).not.toBe(name);
    expect(checkSweepName(name)).toBeUndefined();
    expect(checkSweepName('a:b')).toMatch(/letters, digits/);
  });
});
