import { renameSync, writeFileSync } from 'node:fs';
import { openEvalData } from '../../data/index.js';
import { datasetCsv } from '../../dataset/csv.js';
import { readDatasetRows } from '../../dataset/files.js';
import { renderSummaryMarkdown, summarizeDataset } from '../../dataset/summary.js';
import { verifyDataset } from '../../dataset/verify.js';
import { OptionError } from '../../errors.js';
import { DATA_OPTIONS, preprocessFrom } from '../data-options.js';
import { json, renderTable } from '../format.js';
import { createProgress } from '../progress.js';
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
export const ZOO_DATA = {
  data: `${FASHION_MNIST}/t10k-images-idx3-ubyte.gz`,
  labels: `${FASHION_MNIST}/t10k-labels-idx1-ubyte.gz`,
  scale: 1 / 255,
};

export const dataset: Command = {
  name: 'dataset',
  summary: 'the published layer-importance data set: verify rows, export CSV',
  usage: 'verify|csv|summary [--dataset zoo/dataset] [--sample N] [--out file.csv]',
  details: [
    'safer dataset verify  re-measures a random sample of rows: each with its own seed must reproduce its accuracy',
    '                      exactly; stochastic rows are also run with a fresh seed, whose drop should fall in the',
    '                      95% prediction interval of the recorded seeds. Run from the repository root. The data',
    '                      defaults to what the zoo was measured on: the Fashion-MNIST test set scaled by 1/255.',
    'safer dataset csv     writes every row, with its layer\'s op, parameters and FLOPs, as one flat CSV.',
    'safer dataset summary prints a Markdown table per model: base accuracy, layers, perturbations, rows, job seconds.',
  ].join('\n'),
  options: {
    ...DATA_OPTIONS,
    dataset: { kind: 'list', value: 'path,..', description: 'data set folder or .jsonl files', defaultText: 'zoo/dataset' },
    sample: { kind: 'integer', value: 'N', description: 'rows to re-measure (verify)', defaultText: '20' },
    seed: { kind: 'integer', value: 'S', description: 'seed of the random sample (verify)', defaultText: '0' },
    out: { kind: 'string', value: 'file', description: 'CSV file to write (csv)', defaultText: 'zoo/dataset/layer-importance.csv' },
    json: { kind: 'boolean', description: 'print the verification report as JSON (verify)' },
  },
  async run(options, io) {
    const [action, ...extra] = options.positional;
    if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}" for "safer dataset"`);
    const rows = readDatasetRows(options.list('dataset') ?? ['zoo/dataset']);
    if (action === 'csv') {
      const out = options.string('out') ?? 'zoo/dataset/layer-importance.csv';
      const tmp = `${out}.tmp-${process.pid}`;
      writeFileSync(tmp, await datasetCsv(rows));
      renameSync(tmp, out);
      io.out(`${rows.length} rows written to ${out}`);
      return;
    }
    if (action === 'summary') {
      const models = summarizeDataset(rows);
      io.out(options.flag('json') ? json(models) : renderSummaryMarkdown(models));
      return;
    }
    if (action !== 'verify') throw new OptionError(`"safer dataset" needs an action: verify, csv or summary (got ${action === undefined ? 'none' : `"${action}"`})`);
    const progress = createProgress('verify');
    const labels = options.string('labels');
    const limit = options.number('limit');
    const preprocess = preprocessFrom(options);
    const report = await verifyDataset({
      rows,
      sample: options.positiveInt('sample', 20),
      seed: options.number('seed') ?? 0,
      version: VERSION,
      openData: () => openEvalData(options.string('data') !== undefined
        ? { data: options.string('data') as string, ...(labels !== undefined ? { labels } : {}), ...(limit !== undefined ? { limit } : {}), preprocess }
        : { data: ZOO_DATA.data, labels: ZOO_DATA.labels, preprocess: { scale: ZOO_DATA.scale } }),
      onProgress: (done, total) => progress.update(Math.floor(done), total),
    });
    progress.done();
    if (options.flag('json')) {
      io.out(json(report));
    } else {
      const pct = (x: number) => (100 * x).toFixed(2);
      io.out(renderTable(['model', 'layer', 'perturbation', '>seed', '>recorded %', '>measured %', 'same seed', 'fresh seed: drop in 95% PI'], report.rows.map((r) => [
        r.model, r.layer, r.perturbation, String(r.seed), pct(r.recordedAccuracy), pct(r.measuredAccuracy), r.reproduced ? 'reproduced' : 'DIFFERS',
        r.fresh ? `${pct(r.fresh.drop)} pp ${r.fresh.interval ? `in [${pct(r.fresh.interval[0])}, ${pct(r.fresh.interval[1])}]: ${r.fresh.within ? 'yes' : 'NO'}` : '(one seed: no interval)'}` : '',
      ])));
      io.out(`${report.reproduced}/${report.sampled} rows reproduced exactly; fresh seeds within the prediction interval: ${report.freshWithin}/${report.freshChecked} (${report.seconds.toFixed(1)} s)`);
    }
    return report.reproduced < report.sampled ? 1 : 0;
  },
};
