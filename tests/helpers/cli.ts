/** Runs the built `safer` executable (dist/cli/main.js) as a user would. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = `${ROOT}dist/cli/main.js`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function safer(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parses stdout as JSON, failing with stderr shown. */
export function jsonOf<T>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`safer exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export const BUNDLED = {
  model: `${ROOT}zoo/bundled/model.onnx`,
  images: `${ROOT}zoo/bundled/images.npy`,
  labels: `${ROOT}zoo/bundled/labels.npy`,
};
