import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('README.md', () => {
  it('its library example runs as written and prints accuracy, then a drop and a score per layer', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const library = readme.slice(readme.indexOf('## Library'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(library)?.[1];
    expect(snippet).toBeDefined();
    // No type annotations: it runs as an ES module, and `safer` resolves to this package (built dist/).
    const dir = mkdtempSync(join(ROOT, '.snippet-'));
    try {
      const file = join(dir, 'readme.mjs');
      writeFileSync(file, snippet as string);
      const out = execFileSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' });
      expect(out).toMatch(/^accuracy 0\.\d+, loss \d+\.\d{4}$/m);
      expect(out).toMatch(/^conv1\.weight drop -?\d+\.\d\d pp output-kl \d\.\d\de[-+]\d+$/m);
      expect(out.trim().split('\n')).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
