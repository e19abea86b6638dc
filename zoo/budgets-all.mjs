// The budget results behind docs/budgets.md: every zoo model, three budgets per kind, each plan and its
// baselines evaluated on the 10,000 Fashion-MNIST test images, the costs measured on the first 512
// training images (so that no plan is chosen on the images it is judged on).
//   quant: average 3, 4 and 5 bits; prune: sparsity 0.7, 0.8 and 0.9; protect: overheads 0.05, 0.1 and 0.2
//   at the smallest bit error rate of a ladder at which the unprotected model loses at least 10 points.
// Resumable: a result file that exists is kept. Writes zoo/budgets/<model>/<kind>-<budget>.json (the plan,
// with the baselines' accuracies) and appends to zoo/budgets/timings.log.
// Usage: node zoo/budgets-all.mjs [model ...]      (needs a built dist/: npm run build)
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
const BUDGETS = { quant: [3, 4, 5], prune: [0.7, 0.8, 0.9], protect: [0.05, 0.1, 0.2] };

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
  const dir = join(ROOT, 'zoo/budgets', m);
  mkdirSync(dir, { recursive: true });
  const baseFile = join(dir, 'base.json');
  if (!existsSync(baseFile)) writeFileSync(baseFile, JSON.stringify(safer(['eval', model, ...EVAL]), null, 2) + '\n');
  const base = JSON.parse(readFileSync(baseFile, 'utf8'));
  const run = (kind, budget, args) => {
    const out = join(dir, `${kind}-${budget}.json`);
    if (existsSync(out)) return JSON.parse(readFileSync(out, 'utf8'));
    const started = performance.now();
    const plan = safer(['budget', kind, model, ...EVAL, ...CALIBRATION, ...args, '--out', out]);
    log(`${m} ${kind} ${budget}: ${((performance.now() - started) / 1000).toFixed(0)} s, accuracy ${(100 * plan.accuracy).toFixed(2)}%`);
    return plan;
  };
  for (const bits of BUDGETS.quant) run('quant', bits, ['--avg-bits', String(bits)]);
  for (const sparsity of BUDGETS.prune) run('prune', sparsity, ['--sparsity', String(sparsity)]);
  // The rate: the smallest of the ladder at which the unprotected model (overhead 0) loses at least 10 points.
  const berFile = join(dir, 'ber.json');
  if (!existsSync(berFile)) {
    const probeBase = safer(['eval', model, ...EVAL, '--limit', '2000']).accuracy;
    const tried = [];
    let chosen = null;
    for (const ber of BER_LADDER) {
      const plan = safer(['budget', 'protect', model, ...EVAL, ...CALIBRATION, '--ber', String(ber), '--overhead', '0', '--no-refine', '--trials', '5', '--limit', '2000', '--out', join(dir, 'ber-probe.json')]);
      tried.push({ ber, accuracy: plan.accuracy });
      if (probeBase - plan.accuracy >= 0.1) {
        chosen = ber;
        break;
      }
    }
    writeFileSync(berFile, JSON.stringify({ chosen, base: probeBase, tried, rule: 'smallest rate of the ladder where no protection loses >= 10 points (5 trials, first 2000 test images)' }, null, 2) + '\n');
  }
  const { chosen } = JSON.parse(readFileSync(berFile, 'utf8'));
  if (chosen === null) {
    log(`${m} protect: no rate of the ladder costs 10 points; skipped`);
    continue;
  }
  for (const overhead of BUDGETS.protect) run('protect', overhead, ['--ber', String(chosen), '--overhead', String(overhead), '--trials', '10']);
}
