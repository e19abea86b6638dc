/** `safer assess` prepares the model once: one batch-axis check and one shape probe, whatever it runs after. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/app.js';
import { loadModel, saveModel } from '../../src/onnx/model.js';
import { OrtRunner } from '../../src/runtime/session.js';
import { makeTmp } from '../data/helpers.js';
import { BUNDLED } from '../helpers/cli.js';
import { withBatch } from '../helpers/models.js';

const tmp = makeTmp();

async function sessionLabels(args: readonly string[]): Promise<string[]> {
  const labels: string[] = [];
  const create = OrtRunner.create.bind(OrtRunner);
  vi.spyOn(OrtRunner, 'create').mockImplementation(async (model, label, options) => {
    labels.push(label);
    return create(model, label, options);
  });
  const out: string[] = [];
  const code = await main(['assess', ...args, '--limit', '300', '--perturb', 'prune:0.5,bitflip:1e-3', '--seeds', '2', '--criteria', 'default', '--quiet'],
    { out: (t) => out.push(t), err: (t) => out.push(t), interactive: false });
  expect(code, out.join('\n')).toBe(0);
  return labels;
}

describe('safer assess', () => {
  afterEach(() => vi.restoreAllMocks());

  it('probes the shapes of the bundled model once (and has no batch axis to check)', async () => {
    const labels = await sessionLabels([BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--out', tmp.path('dynamic')]);
    expect(labels.filter((l) => l.endsWith('(shape probe)'))).toHaveLength(1);
    expect(labels.filter((l) => l.endsWith('(batch check)'))).toHaveLength(0);
  });

  it('checks a fixed batch axis once (two sessions: the model as stored, and freed) and probes once', async () => {
    const fixed = tmp.path('fixed-batch.onnx');
    saveModel(withBatch(loadModel(BUNDLED.model), 1), fixed);
    const labels = await sessionLabels([fixed, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--out', tmp.path('fixed')]);
    expect(labels.filter((l) => l.endsWith('(shape probe)'))).toHaveLength(1);
    expect(labels.filter((l) => l.endsWith('(batch check)'))).toHaveLength(2);
  });
});
