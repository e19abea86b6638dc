// Start-up cost of a module: the time to import it in a fresh node process, the fastest of N processes.
// Usage: node perf/import-time.mjs [module, default dist/cli/commands/sweep.js] [N, default 7]   (needs a built dist/)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
const target = resolve(process.argv[2] ?? new URL('../dist/cli/commands/sweep.js', import.meta.url).pathname);
const runs = Number(process.argv[3] ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'safer-import-time-'));
const probe = join(dir, 'probe.mjs');
writeFileSync(probe, `const t = performance.now(); await import(${JSON.stringify(target)}); console.log(performance.now() - t);\n`);
try {
  const times = Array.from({ length: runs }, () => Number(execFileSync(process.execPath, [probe]).toString()));
  console.log(`${target}: fastest ${Math.min(...times).toFixed(1)} ms of ${runs} (${times.map((t) => t.toFixed(0)).join(', ')})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
