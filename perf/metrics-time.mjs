// The sweep's per-job metrics (runtime/metrics.ts accumulate) for two builds of safer, interleaved
// (docs/benchmarks.md): JOBS jobs, each comparing N rows of C random logits with the same reference rows
// in batches of 250, as a sweep of LeNet-5 does (25 jobs, 2,000 images, 10 classes); fastest of 5 rounds.
// A build before e34f2b2 takes the reference as logits (recomputing its log softmax per job), one after
// it as ReferenceRows (summarized once per sweep, and that summary is included in its time).
//
//   node perf/metrics-time.mjs <before root> <after root> [jobs=25] [rows=2000] [classes=10]
const [before, after, jobsText = '25', rowsText = '2000', classesText = '10'] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node perf/metrics-time.mjs <before root> <after root> [jobs] [rows] [classes]');
  process.exit(2);
}
const [jobs, rows, classes] = [jobsText, rowsText, classesText].map(Number);
const BATCH = 250;
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 8 - 4;
const reference = Float32Array.from({ length: rows * classes }, random);
const labels = Int32Array.from({ length: rows }, (_, i) => i % classes);
const correct = Uint8Array.from({ length: rows }, (_, i) => i % 2);
const perturbed = Array.from({ length: jobs }, () => Float32Array.from({ length: rows * classes }, random));
const results = [];
for (const root of [before, after]) {
  const m = await import(`${root}/dist/runtime/metrics.js`);
  const summarized = typeof m.referenceRows === 'function';
  const pass = () => {
    const ref = summarized ? m.referenceRows(reference, classes, correct) : undefined;
    const totals = [];
    for (const logits of perturbed) {
      const t = m.emptyTotals();
      for (let start = 0; start < rows; start += BATCH) {
        const end = Math.min(rows, start + BATCH);
        const batch = logits.subarray(start * classes, end * classes);
        if (summarized) m.accumulate(t, batch, labels.subarray(start, end), classes, ref, start);
        else m.accumulate(t, batch, labels.subarray(start, end), classes, reference, start * classes, correct);
      }
      totals.push(t);
    }
    return totals;
  };
  results.push({ root, summarized, pass, best: Infinity, totals: undefined });
}
for (let round = 0; round < 5; round++) {
  for (const r of results) {
    const t = performance.now();
    r.totals = r.pass();
    r.best = Math.min(r.best, performance.now() - t);
  }
}
const same = JSON.stringify(results[0].totals) === JSON.stringify(results[1].totals);
for (const r of results) console.log(`${r.root} (${r.summarized ? 'reference summarized once' : 'reference recomputed per job'}): ${r.best.toFixed(1)} ms for ${jobs} jobs × ${rows} rows × ${classes} classes`);
console.log(`totals identical between the builds: ${same}`);
