// One criterion as `safer score --for` would give it at every perturbation level of each zoo model's
// truth: CRITERION@<level> where the criterion models a perturbation of that kind, else CRITERION, on
// the first 256 Fashion-MNIST training images (as zoo/benchmark-all.sh), each result tagged with the
// level it is for. `safer bench` checks such results on every reliable cell ("The criterion for one
// perturbation" in docs/benchmark-results.md), which is how the criterion --for computes is chosen.
// Writes zoo/scores/for-<criterion>/<model>.json (kept when it exists).
// Usage: node zoo/score-for-levels.mjs CRITERION [model ...]     (needs a built dist/)
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const DATA = '/usr/share/datasets/fashion-mnist';
const [criterion, ...asked] = process.argv.slice(2);
if (!criterion) {
  console.error('usage: node zoo/score-for-levels.mjs CRITERION [model ...]');
  process.exit(2);
}
const models = asked.length > 0 ? asked : readdirSync(join(ROOT, 'zoo/models')).filter((m) => existsSync(join(ROOT, `zoo/dataset/${m}.jsonl`))).sort();
const dir = join(ROOT, 'zoo/scores', `for-${criterion}`);
mkdirSync(dir, { recursive: true });
const safer = (args) => execFileSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
// The instance the criterion takes at a perturbation, if it models one (as `safer score --for` instances).
const { criterionInstance } = await import(join(ROOT, 'dist/criteria/index.js'));
const instanceAt = (p) => {
  try {
    return criterionInstance(`${criterion}@${p}`).name;
  } catch {
    return criterionInstance(criterion).name;
  }
};

for (const m of models) {
  const out = join(dir, `${m}.json`);
  if (existsSync(out)) continue;
  const rows = readFileSync(join(ROOT, `zoo/dataset/${m}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const levels = [...new Set(rows.map((r) => r.perturbation))];
  const instances = new Map(levels.map((p) => [p, instanceAt(p)]));
  const started = performance.now();
  const report = JSON.parse(safer([
    'score', `zoo/models/${m}/model.onnx`, '--data', `${DATA}/train-images-idx3-ubyte.gz`, '--labels', `${DATA}/train-labels-idx1-ubyte.gz`,
    '--scale', '0.00392156862745098', '--calibration', '256', '--criteria', [...new Set(instances.values())].join(','), '--json', '--quiet',
  ]));
  const byName = new Map(report.criteria.map((c) => [c.name, c]));
  // Without the per-criterion details (Hessian probe samples and the like): the bench reads the scores.
  report.criteria = levels.map((p) => {
    const { details: _details, ...result } = byName.get(instances.get(p));
    return { ...result, for: p };
  });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  const line = `${new Date().toISOString()} ${m} ${criterion} at its ${levels.length} levels in ${((performance.now() - started) / 1000).toFixed(0)} s`;
  console.log(line);
  appendFileSync(join(ROOT, 'zoo/scores/timings.log'), line + '\n');
}
