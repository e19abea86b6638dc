import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('docs/dataset.md', () => {
  it('its TypeScript loading snippet runs as written and prints a drop per layer', () => {
    const card = readFileSync(`${ROOT}docs/dataset.md`, 'utf8');
    const snippet = /```ts\n([\s\S]*?)```/.exec(card)?.[1];
    expect(snippet).toBeDefined();
    // The snippet has no type annotations, so it runs as an ES module; `safer` resolves to this package.
    const dir = mkdtempSync(join(ROOT, '.snippet-'));
    const file = join(dir, 'snippet.mjs');
    writeFileSync(file, snippet as string);
    const out = execFileSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' });
    execFileSync('rm', ['-rf', dir]);
    expect(out).toMatch(/^conv1\.weight \d+\.\d\d pp$/m);
  });
});
