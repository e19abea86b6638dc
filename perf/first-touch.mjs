// How fast this machine hands a process fresh memory: fills 16 new Float32Arrays of 200 MB (3.2 GB) and
// prints the time. Run it several times in a row: on a VM that returns freed memory to its host, the first
// runs are the slow ones. Usage: node perf/first-touch.mjs
const keep = [];
const t = performance.now();
for (let i = 0; i < 16; i++) {
  const a = new Float32Array(50e6);
  a.fill(1);
  keep.push(a);
}
console.log(`3.2 GB of fresh memory filled in ${((performance.now() - t) / 1000).toFixed(2)} s (${(3.2 / ((performance.now() - t) / 1000)).toFixed(2)} GB/s)`);
