import { extname, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { checkWritableFile } from '../../output/files.js';
import { writeReport } from '../../report/index.js';
import { defineCommand } from '../command.js';
import { OUTPUT_OPTIONS } from '../data-options.js';
import { json } from '../format.js';

export const report = defineCommand({
  name: 'report',
  summary: 'render the HTML report of saved results (with report.md and report.json beside it), re-running nothing',
  usage: '[--from dir] [--out report.html] [--json]',
  details: [
    'Reads a results dir (what "safer assess --out dir" wrote: sweep.jsonl, scores.json, report.json; and the budget',
    'files plan-{quant,prune,protect}.json, curve-{quant,prune,protect}.json, ber-curve.json when they are there) and',
    'writes one self-contained HTML file with SVG charts and the data embedded as JSON, which opens with no network.',
    'A section whose input is absent says which command writes it. Charts and formats: docs/report.md.',
    'JSON: the report data (what report.json holds: {"schema":"safer-report","version",...}).',
  ].join('\n'),
  examples: ['safer assess --out run && safer report --from run --out run/report.html'],
  options: {
    from: { kind: 'string', value: 'dir', description: 'results dir to read', default: 'safer-report' },
    out: { kind: 'string', value: 'file.html', description: 'HTML file to write; report.md and report.json go beside it under the same name', defaultText: '<from>/report.html' },
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io }) {
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}" for "safer report"; name the results dir with --from`);
    const { from } = options;
    const out = options.out ?? join(from, 'report.html');
    if (extname(out).toLowerCase() !== '.html') throw new UsageError(`--out must name an .html file, got "${out}"`);
    checkWritableFile(out, 'report', { createFolder: true });
    const written = await writeReport(from, out, { command: `safer report --from ${from} --out ${out}` });
    if (options.json) {
      io.out(json(written.data));
      return;
    }
    const present = written.data.source.files;
    const missing = [
      ...(present['sweep.jsonl'] ? [] : ['sweep.jsonl']),
      ...(present['scores.json'] ? [] : ['scores.json']),
      ...(Object.entries(present).some(([f, here]) => here && /^(plan|curve)-|^ber-/.test(f)) ? [] : ['budget plans and curves']),
    ];
    io.out(`wrote ${written.files.html} (also ${written.files.markdown}, ${written.files.json}) from ${from} in ${written.seconds.total.toFixed(2)} s` +
      (missing.length > 0 ? `; not in the results, so their sections say how to make them: ${missing.join(', ')}` : ''));
  },
});
