import { openEvalData } from '../../data/index.js';
import { datasetCsv } from '../../dataset/csv.js';
import { readDatasetRows } from '../../dataset/files.js';
import { renderSummaryMarkdown, summarizeDataset } from '../../dataset/summary.js';
import { verifyDataset } from '../../dataset/verify.js';
import { UsageError } from '../../errors.js';
import { checkWritableFile, writeFileAtomic } from '../../output/files.js';
import { VERSION } from '../../version.js';
import { defineCommand } from '../command.js';
import { DATA_OPTIONS, noteWriter, OUTPUT_OPTIONS, preprocessFrom } from '../data-options.js';
import { json, renderTable } from '../format.js';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
export const ZOO_DATA = {
  data: `${FASHION_MNIST}/t10k-images-idx3-ubyte.gz`,
  labels: `${FASHION_MNIST}/t10k-labels-idx1-ubyte.gz`,
  scale: 1 / 255,
};

export const dataset = defineCommand({
  name: 'dataset',
  summary: 'the published layer-importance data set: verify rows, export CSV',
  usage: 'verify|csv|summary [--dataset zoo/dataset] [--sample N] [--out file.csv]',
  details: [
    'safer dataset verify  re-measures a random sample of rows: each with its own seed must reproduce its accuracy',
    '                      exactly; stochastic rows are also run with a fresh seed, whose drop should fall in the',
    '                      95% prediction interval of the recorded seeds. Run from the repository root. The data',
    '                      defaults to what the zoo was measured on: the Fashion-MNIST test set scaled by 1/255.',
    '                      Exit code 1 if a row does not reproduce.',
    'safer dataset csv     writes every row, with its layer\'s op, parameters and FLOPs, as one flat CSV.',
    'safer dataset summary prints a Markdown table per model: base accuracy, layers, perturbations, rows, job seconds.',
  ].join('\n'),
  examples: ['safer dataset verify --sample 20', 'safer dataset csv --out /tmp/layer-importance.csv', 'safer dataset summary --json'],
  options: {
    ...DATA_OPTIONS,
    dataset: { kind: 'list', value: 'path,..', description: 'data set folder or .jsonl files', default: ['zoo/dataset'] },
    sample: { kind: 'integer', value: 'N', description: 'rows to re-measure (verify)', default: 20, min: 1 },
    seed: { kind: 'integer', value: 'S', description: 'seed of the random sample (verify)', default: 0 },
    out: { kind: 'string', value: 'file', description: 'CSV file to write (csv)', default: 'zoo/dataset/layer-importance.csv' },
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io, progress }) {
    const [action, ...extra] = positional;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" for "safer dataset"`);
    if (action !== 'verify' && action !== 'csv' && action !== 'summary') {
      throw new UsageError(`"safer dataset" needs an action: verify, csv or summary (got ${action === undefined ? 'none' : `"${action}"`})`);
    }
    if (action === 'csv') checkWritableFile(options.out, 'CSV file');
    const rows = readDatasetRows(options.dataset);
    if (action === 'csv') {
      writeFileAtomic(options.out, await datasetCsv(rows));
      io.out(`${rows.length} rows written to ${options.out}`);
      return;
    }
    if (action === 'summary') {
      const models = summarizeDataset(rows);
      io.out(options.json ? json(models) : renderSummaryMarkdown(models));
      return;
    }
    const bar = progress('verify');
    const { data, labels, limit } = options;
    const preprocess = preprocessFrom(options);
    const report = await verifyDataset({
      rows,
      sample: options.sample,
      seed: options.seed,
      version: VERSION,
      openData: () => openEvalData(data !== undefined
        ? { data, ...(labels !== undefined ? { labels } : {}), ...(limit !== undefined ? { limit } : {}), preprocess, allowNonfinite: options['allow-nonfinite'], onNote: noteWriter(options, io.err) }
        : { data: ZOO_DATA.data, labels: ZOO_DATA.labels, preprocess: { scale: ZOO_DATA.scale } }),
      onProgress: (done, total) => bar.update(Math.floor(done), total),
    });
    bar.done();
    if (options.json) {
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
});
