/** npm runs safer without a warning, and no dependency install script (CUDA download) is allowed to run. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('npm configuration', () => {
  it('npx safer prints no npm warning (no unknown project config)', () => {
    const r = spawnSync('npx', ['--offline', 'safer', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/npm warn/i);
    expect(existsSync(`${ROOT}.npmrc`) ? readFileSync(`${ROOT}.npmrc`, 'utf8') : '').not.toMatch(/onnxruntime-node-install/);
  });

  it('denies the install scripts of onnxruntime-node (CUDA download) and protobufjs', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts).toEqual({ 'onnxruntime-node': false, protobufjs: false });
  });
});
