// Compares two identity-run.sh output folders: every sweep row and every criterion score must be equal
// (timings, versions and paths aside). Prints one line per file and exits 1 on any difference.
// Usage: node tools/identity-compare.mjs <before dir> <after dir>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [before, after] = process.argv.slice(2);
const IGNORED = new Set(['seconds', 'version', 'model', 'passes']);
const strip = (value) => {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([k]) => !IGNORED.has(k)).map(([k, v]) => [k, strip(v)]));
  return value;
};
const rowsOf = (file) => {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.jsonl') ? text.split('\n').filter((l) => l.trim()).map((l) => strip(JSON.parse(l))) : strip(JSON.parse(text));
};
let failed = 0;
for (const name of readdirSync(before).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl')).sort()) {
  const a = JSON.stringify(rowsOf(join(before, name)));
  let b;
  try { b = JSON.stringify(rowsOf(join(after, name))); } catch { b = 'missing'; }
  const same = a === b;
  if (!same) failed++;
  console.log(`${same ? 'identical' : 'DIFFERENT'}  ${name}`);
}
process.exit(failed > 0 ? 1 : 0);
