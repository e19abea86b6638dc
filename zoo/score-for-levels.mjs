// One criterion as `safer score --for` would give it at every perturbation level of each zoo model's
// truth (SAFER_TRUTH, default zoo/dataset/v2): CRITERION@<level> where the criterion models a perturbation of that kind, else CRITERION, on
// the first 256 Fashion-MNIST training images (as zoo/benchmark-all.sh), each result tagged with the
// level it is for. `safer bench` checks such results on every reliable cell ("The criterion for one
// perturbation" in docs/benchmark-results.md), which is how the criterion --for computes is chosen.
// Writes zoo/scores/for-<criterion>/<model>.json; results already there are kept, and only instances of levels
// the file does not cover yet are scored (data set v2 added quantc:5, 6 and 8).
// Usage: node zoo/score-for-levels.mjs CRITERION [model ...]     (needs a built dist/)
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli/main.js');
const DATA = '/usr/share/datasets/fashion-mnist';
// The truth whose levels are scored (zoo/benchmark-all.sh passes its own).
const TRUTH = process.env.SAFER_TRUTH ?? 'zoo/dataset/v2';
const [criterion, ...asked] = process.argv.slice(2);
if (!criterion) {
  console.error('usage: node zoo/score-for-levels.mjs CRITERION [model ...]');
  process.exit(2);
}
const models = asked.length > 0 ? asked : readdirSync(join(ROOT, 'zoo/models')).filter((m) => existsSync(join(ROOT, TRUTH, `${m}.jsonl`))).sort();
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
  const rows = readFileSync(join(ROOT, TRUTH, `${m}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const levels = [...new Set(rows.map((r) => r.perturbation))];
  const instances = new Map(levels.map((p) => [p, instanceAt(p)]));
  // Results already there are kept; an instance is scored only when no level of the file has it.
  const kept = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
  const byName = new Map((kept?.criteria ?? []).map(({ for: _for, ...c }) => [c.name, c]));
  const missing = [...new Set(instances.values())].filter((name) => !byName.has(name));
  if (kept && levels.every((p) => kept.criteria.some((c) => c.for === p))) continue;
  const started = performance.now();
  let report = kept;
  if (missing.length > 0) {
    report = JSON.parse(safer([
      'score', `zoo/models/${m}/model.onnx`, '--data', `${DATA}/train-images-idx3-ubyte.gz`, '--labels', `${DATA}/train-labels-idx1-ubyte.gz`,
      '--scale', '0.00392156862745098', '--calibration', '256', '--criteria', missing.join(','), '--json', '--quiet',
    ]));
    // Without the per-criterion details (Hessian probe samples and the like): the bench reads the scores.
    for (const { details: _details, ...result } of report.criteria) byName.set(result.name, result);
  }
  report.criteria = levels.map((p) => ({ ...byName.get(instances.get(p)), for: p }));
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  const line = `${new Date().toISOString()} ${m} ${criterion} at its ${levels.length} levels (${missing.length} instances scored) in ${((performance.now() - started) / 1000).toFixed(0)} s`;
  console.log(line);
  appendFileSync(join(ROOT, 'zoo/scores/timings.log'), line + '\n');
}
