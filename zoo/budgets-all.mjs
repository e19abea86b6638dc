// The budget results behind docs/budgets.md and the budget regret of docs/benchmark.md: for every zoo
// model, `safer budget curve` at three budgets per kind, the default plan and every baseline (and, for
// regret, the plans from measured sweep rows and from criteria) each evaluated on the Fashion-MNIST
// test images; costs measured on the first 512 training images, so that no plan is chosen on the
// images it is judged on.
//   quant:   average 3, 4 and 5 bits (bits 2, 3, 4, 5, 6, 8)                       -> curve-quant.json
//   prune:   sparsity 0.7, 0.8 and 0.9, with the oracle and the criteria          -> curve-prune.json
//   protect: overheads 0.05, 0.1 and 0.2 at the smallest bit error rate of a ladder at which the
//            unprotected model loses at least 10 points (ber.json); 30 fault trials on the first
//            2,000 test images (the spread is over trials, not images)            -> curve-protect.json
//   regret:  quant at average 2.5, 3 and 3.5 bits over bits 2, 3, 4 (the levels data set version 1
//            measured per channel), with the oracle from version 1 and the criteria -> regret-quant.json
//   regret8: quant at average 3, 4 and 5 bits over bits 2, 3, 4, 5, 6, 8 (every level data set version 2
//            measured per channel), with the oracle from version 2 and the criteria -> regret-quant-v2.json
// Resumable: a result file that exists is kept. Appends to zoo/budgets/timings.log.
// Usage: node zoo/budgets-all.mjs [model ...]     (needs a built dist/, or SAFER_CLI=path/to/main.js)
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
// SAFER_CLI pins a built copy (a long run should not see a rebuild halfway).
const CLI = process.env.SAFER_CLI ?? join(ROOT, 'dist/cli/main.js');
const DATA = '/usr/share/datasets/fashion-mnist';
const EVAL = ['--data', `${DATA}/t10k-images-idx3-ubyte.gz`, '--labels', `${DATA}/t10k-labels-idx1-ubyte.gz`, '--scale', '0.00392156862745098'];
const CALIBRATION = ['--calibration-data', `${DATA}/train-images-idx3-ubyte.gz`, '--calibration-labels', `${DATA}/train-labels-idx1-ubyte.gz`, '--calibration', '512'];
const BER_LADDER = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3];
const PROTECT_LIMIT = 2000;
const GRIDS = { quant: [3, 4, 5], prune: [0.7, 0.8, 0.9], protect: [0.05, 0.1, 0.2], regret: [2.5, 3, 3.5], regret8: [3, 4, 5] };
// Criteria whose plans are compared with the oracle's (budget regret), beside the recommended one the curve adds itself.
const CRITERIA = {
  quant: ['output-kl', 'output-mse', 'hawq-v2-ggn', 'fisher-obd', 'fisher', 'grad-norm', 'snip', 'mean-abs', 'l2-norm', 'quant-error', 'param-count', 'random'],
  prune: ['output-kl', 'fisher-obd', 'fisher', 'grad-norm', 'snip', 'taylor-first-order', 'mean-abs', 'l1-norm', 'prune-error', 'synflow', 'param-count', 'random'],
};

const safer = (args) => JSON.parse(execFileSync(process.execPath, [CLI, ...args, '--json', '--quiet'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 }));
const log = (line) => {
  const text = `${new Date().toISOString()} ${line}`;
  console.log(text);
  appendFileSync(join(ROOT, 'zoo/budgets/timings.log'), text + '\n');
};

const models = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(join(ROOT, 'zoo/models')).sort();
mkdirSync(join(ROOT, 'zoo/budgets'), { recursive: true });
for (const m of models) {
  const model = `zoo/models/${m}/model.onnx`;
  const rows = `zoo/dataset/${m}.jsonl`;
  const dir = join(ROOT, 'zoo/budgets', m);
  mkdirSync(dir, { recursive: true });
  const baseFile = join(dir, 'base.json');
  if (!existsSync(baseFile)) writeFileSync(baseFile, JSON.stringify(safer(['eval', model, ...EVAL]), null, 2) + '\n');
  const curve = (name, kind, args) => {
    const out = join(dir, `${name}.json`);
    if (existsSync(out)) return;
    const started = performance.now();
    const points = safer(['budget', 'curve', kind, model, ...CALIBRATION, ...args, '--out', out]);
    log(`${m} ${name}: ${((performance.now() - started) / 1000).toFixed(0)} s, ${points.length} points`);
  };
  curve('curve-quant', 'quant', [...EVAL, '--grid', GRIDS.quant.join(',')]);
  curve('curve-prune', 'prune', [...EVAL, '--grid', GRIDS.prune.join(','), '--from', rows, '--criterion', CRITERIA.prune.join(',')]);
  curve('regret-quant', 'quant', [...EVAL, '--bits', '2,3,4', '--grid', GRIDS.regret.join(','), '--from', rows, '--criterion', CRITERIA.quant.join(',')]);
  curve('regret-quant-v2', 'quant', [...EVAL, '--bits', '2,3,4,5,6,8', '--grid', GRIDS.regret8.join(','), '--from', `zoo/dataset/v2/${m}.jsonl`, '--criterion', CRITERIA.quant.join(',')]);

  // The rate: the smallest of the ladder at which the unprotected model (overhead 0) loses at least 10 points.
  const berFile = join(dir, 'ber.json');
  const limited = [...EVAL, '--limit', String(PROTECT_LIMIT)];
  if (!existsSync(berFile)) {
    const base = safer(['eval', model, ...limited]).accuracy;
    const tried = [];
    let chosen = null;
    for (const ber of BER_LADDER) {
      const plan = safer(['budget', 'protect', model, ...limited, ...CALIBRATION, '--ber', String(ber), '--overhead', '0', '--no-refine', '--trials', '5', '--out', join(dir, 'ber-probe.json')]);
      tried.push({ ber, accuracy: plan.accuracy });
      if (base - plan.accuracy >= 0.1) {
        chosen = ber;
        break;
      }
    }
    writeFileSync(berFile, JSON.stringify({ chosen, base, tried, rule: `smallest rate of the ladder where no protection loses >= 10 points (5 trials, first ${PROTECT_LIMIT} test images)` }, null, 2) + '\n');
  }
  const { chosen } = JSON.parse(readFileSync(berFile, 'utf8'));
  if (chosen === null) log(`${m} protect: no rate of the ladder costs 10 points; skipped`);
  else curve('curve-protect', 'protect', [...limited, '--ber', String(chosen), '--grid', GRIDS.protect.join(','), '--trials', '30']);
}
