/** CLI conventions every command keeps: help with an example, exit codes, a validated config file, quiet runs, closed pipes. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/app.js';
import { makeTmp } from '../data/helpers.js';
import { BUNDLED, jsonOf, ROOT, safer } from '../helpers/cli.js';

const tmp = makeTmp();

describe('CLI conventions', () => {
  it('every command has --help with its options and at least one example', () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = safer([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(/^options:$/m);
      expect(r.stdout, name).toMatch(/^examples?:\n {2}safer /m);
      expect(r.stdout, name).toContain('--config <file>');
    }
  });

  it('exits 2 on a usage error, 1 on bad input, 0 on success', () => {
    expect(safer(['eval', '--limit', 'many']).code).toBe(2);
    expect(safer(['eval', '--limit', 'many']).stderr).toMatch(/^error: --limit must be a positive integer, got "many"$/m);
    expect(safer(['bench', '--by', 'layer', '--truth', 'a', '--scores', 'b']).stderr).toMatch(/--by must be one of family, perturbation, got "layer"/);
    expect(safer(['eval', tmp.path('missing.onnx'), '--data', BUNDLED.images, '--labels', BUNDLED.labels]).code).toBe(1);
    expect(safer(['inspect']).code).toBe(0);
    expect(safer([]).code).toBe(2);
  });

  it('takes defaults from safer.config.json, which the command line overrides', () => {
    const config = tmp.path('safer.config.json');
    writeFileSync(config, JSON.stringify({ eval: { limit: 7, batch: 3 } }));
    expect(jsonOf<{ count: number }>(safer(['eval', '--config', config, '--json'])).count).toBe(7);
    expect(jsonOf<{ count: number }>(safer(['eval', '--config', config, '--limit', '5', '--json'])).count).toBe(5);
    // Found in the working directory without --config.
    expect(jsonOf<{ count: number }>(safer(['eval', BUNDLED.model, '--data', BUNDLED.images, '--labels', BUNDLED.labels, '--json'], { cwd: tmp.path('') })).count).toBe(7);
  });

  it('validates the config file against the option tables, naming the bad key', () => {
    const bad = (content: unknown): string => {
      const path = tmp.path(`bad-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      const r = safer(['eval', '--config', path, '--json']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      return r.stderr;
    };
    expect(bad({ eval: { limt: 5 } })).toMatch(/"eval\.limt" is not an option of safer eval \(options: data, labels, limit/);
    expect(bad({ eval: { limit: 'five' } })).toMatch(/"eval\.limit" must be a positive integer, got "five"/);
    expect(bad({ evaluate: {} })).toMatch(/"evaluate" is not a command \(commands: assess, inspect/);
    expect(bad({ eval: { layout: 'CHW' } })).toMatch(/"eval\.layout" must be one of NCHW, NHWC, got "CHW"/);
    expect(bad('{"eval": ')).toMatch(/not valid JSON/);
    expect(bad([1, 2])).toMatch(/must be a JSON object of commands/);
  });

  it('--quiet silences notes; --json keeps stdout machine-readable', () => {
    const out = tmp.path('quiet.jsonl');
    const args = ['sweep', '--limit', '100', '--perturb', 'prune:0.5', '--layers', 'fc2.weight', '--out', out];
    expect(safer(args).code).toBe(0);
    expect(safer(args).stderr).toMatch(/rows already there/);
    const quiet = safer([...args, '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(() => JSON.parse(safer([...args, '--json', '--quiet']).stdout)).not.toThrow();
  });

  it('ends quietly when the reader closes the pipe (safer bench --json | head -1, 0.7 MB of output)', () => {
    const bench = `bench --truth zoo/dataset/lenet5.jsonl,zoo/dataset/mlp.jsonl --scores zoo/scores/lenet5.json,zoo/scores/mlp.json --json`;
    const r = spawnSync('bash', ['-c', `node ${ROOT}dist/cli/main.js ${bench} | head -1; exit \${PIPESTATUS[0]}`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
