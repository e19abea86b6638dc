/** Models beyond Conv/Gemm: embeddings, LSTM/GRU/RNN; exporter names; what gradients cannot reach. */
import { describe, expect, it } from 'vitest';
import { makeTmp, npyBytes, writeBytes } from '../data/helpers.js';
import { BUNDLED, jsonOf, ROOT, safer } from '../helpers/cli.js';

const tmp = makeTmp();
const model = (name: string): string => `${ROOT}tests/fixtures/models/${name}.onnx`;
const DATA = ['--data', BUNDLED.images, '--labels', BUNDLED.labels, '--limit', '200'];

interface InspectJson {
  layers: { name: string; node: string; op: string; flops: number }[];
  otherParams: { total: number; byOp: Record<string, number> };
}

describe('recurrent and embedding layers', () => {
  it('inspect lists the W and R of an LSTM as layers, shows node names, and counts the parameters outside the layers', () => {
    const r = safer(['inspect', model('lstm-rows')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 3 weight layers, 4\.09k parameters/);
    expect(r.stdout).toMatch(/^0 +onnx::LSTM_214 +\/lstm\/LSTM +LSTM +\[2,48,28\] +2\.69k +151k +1 +-$/m);
    expect(r.stdout).toMatch(/^192 more parameters are not in a weight layer, so safer does not assess them: 192 read by LSTM$/m);
    const json = jsonOf<InspectJson>(safer(['inspect', model('embed-rnn'), '--json']));
    expect(json.layers.map((l) => [l.op, l.node])).toEqual([['Gather', '/embed/Gather'], ['RNN', '/rnn/RNN'], ['RNN', '/rnn/RNN'], ['Gemm', '/fc/Gemm']]);
    expect(json.otherParams).toEqual({ total: 32, byOp: { RNN: 32 } });
  });

  it('inspect shows the node beside an exporter name such as onnx::Conv_NNN, and says when every parameter is in a layer', () => {
    const r = safer(['inspect', model('resnet-mini')]);
    expect(r.stdout).toMatch(/^\s*0 +onnx::Conv_\d+ +\/conv1\/Conv +Conv /m);
    expect(r.stdout).toMatch(/^every parameter belongs to a weight layer$/m);
  });

  it.each(['lstm-rows', 'gru-rows', 'embed-rnn'])('sweep measures every layer of %s, and data-free criteria score them', (name) => {
    const out = tmp.path(`${name}.jsonl`);
    const sweep = jsonOf<{ table: Record<string, Record<string, { drop: number }>> }>(safer(['sweep', model(name), ...DATA, '--perturb', 'prunec:0.5,quantc:4', '--out', out, '--json', '--quiet']));
    const layers = jsonOf<InspectJson>(safer(['inspect', model(name), '--json'])).layers.map((l) => l.name);
    expect(Object.keys(sweep.table)).toEqual(layers);
    for (const layer of layers) expect(Number.isFinite(sweep.table[layer]?.['prunec:0.5']?.drop)).toBe(true);
    const scores = jsonOf<{ criteria: { name: string; scores: Record<string, number> }[] }>(safer(['score', model(name), '--criteria', 'l2-norm,quant-error', '--json']));
    for (const c of scores.criteria) expect(Object.keys(c.scores)).toEqual(layers);
  });

  it('gradient criteria say in one line that they cannot run on a recurrent op, and a run that computes nothing exits 1', () => {
    const r = safer(['score', model('lstm-rows'), ...DATA, '--criteria', 'fisher']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: no criterion could be computed on ${model('lstm-rows')}: node "/lstm/LSTM" (LSTM, opset 16) has no gradient rule; ` +
        'safer does not differentiate recurrent ops, so gradient criteria cannot run on this model (the sweep and data-free criteria can)\n',
    );
    const mixed = safer(['score', model('gru-rows'), ...DATA, '--criteria', 'l2-norm,fisher']);
    expect(mixed.code).toBe(0);
    expect(mixed.stderr).toMatch(/^warning: fisher could not be computed: node "\/gru\/GRU" \(GRU, opset 16\) has no gradient rule; safer does not differentiate recurrent ops/);
  });
});

describe('grad', () => {
  it('refuses a label outside the model’s classes in one line, naming the sample', () => {
    const labels = Array.from({ length: 20 }, (_, i) => (i === 7 ? 12 : i % 10));
    const y = writeBytes(tmp.path('labels-12.npy'), npyBytes('<i8', [20], labels));
    const x = writeBytes(tmp.path('images-20.npy'), npyBytes('<f4', [20, 1, 28, 28], new Float32Array(20 * 784).fill(0.5)));
    const r = safer(['grad', BUNDLED.model, '--data', x, '--labels', y]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*images-20\.npy .*labels .*labels-12\.npy: label 12 of sample 7 is outside the model's 10 classes \(0\.\.9\)\n$/);
  });
});
