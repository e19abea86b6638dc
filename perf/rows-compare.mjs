// Two sweep results files, row by row (matched by layer, perturbation and seed): rows whose counts differ
// (correct, right-to-wrong, wrong-to-right, count, agreement), bit-identical rows, and the largest relative
// differences in loss and KL (KL above 1e-3). Rows are read by safer's reader (dist/rows/read.js).
// Usage: node perf/rows-compare.mjs a.jsonl b.jsonl      (needs a built dist/)
const ROOT = new URL('..', import.meta.url).pathname;
const { readRows } = await import(`${ROOT}dist/rows/read.js`);
const { rowKey } = await import(`${ROOT}dist/rows/row.js`);
const read = (file) => new Map(readRows([file]).rows.map((row) => [rowKey(row), row]));
const [a, b] = process.argv.slice(2).map(read);
const COUNTS = ['correct', 'right_to_wrong', 'wrong_to_right', 'unchanged', 'count'];
let rows = 0, missing = 0, countsDiffer = 0, identical = 0, loss = 0, kl = 0;
for (const [key, x] of a) {
  const y = b.get(key);
  if (!y) { missing++; continue; }
  rows++;
  const sameCounts = COUNTS.every((c) => x[c] === y[c]);
  if (!sameCounts) { countsDiffer++; console.log(`counts differ: ${key}: ${COUNTS.map((c) => `${c} ${x[c]} / ${y[c]}`).join(', ')}`); }
  if (sameCounts && x.loss === y.loss && x.kl === y.kl) identical++;
  if (x.loss !== null && y.loss !== null) loss = Math.max(loss, Math.abs(x.loss - y.loss) / Math.max(Math.abs(x.loss), 1e-30));
  if (x.kl !== null && y.kl !== null && x.kl > 1e-3) kl = Math.max(kl, Math.abs(x.kl - y.kl) / x.kl);
}
console.log(`${rows} rows${missing ? ` (${missing} of the first file missing from the second)` : ''}${b.size > rows ? ` (${b.size - rows} more in the second)` : ''}: ` +
  `counts differ in ${countsDiffer}, bit-identical ${identical}, loss within ${loss.toExponential(1)} relative, KL within ${kl.toExponential(1)} relative`);
