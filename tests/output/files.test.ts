/** Output paths that cannot be written fail with one OptionError, before the work and also after it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { checkWritableFile, ensureWritableFolder, writeFileAtomic } from '../../src/output/files.js';
import { makeTmp } from '../data/helpers.js';

const tmp = makeTmp();
afterAll(tmp.cleanup);
mkdirSync(tmp.path('folder'));
writeFileSync(tmp.path('file'), 'x');

describe('output files', () => {
  it.each([
    ['a folder', () => tmp.path('folder'), /folder: is a folder; the report must be a file path$/],
    ['in a folder that does not exist', () => tmp.path('nope', 'r.json'), /r\.json: the folder .*nope of the report does not exist$/],
    ['in a file in place of a folder', () => tmp.path('file', 'r.json'), /r\.json: .*file is a file, not a folder; choose another path for the report$/],
  ])('checkWritableFile refuses a path %s', (_, path, message) => {
    expect(() => checkWritableFile(path(), 'report')).toThrow(OptionError);
    expect(() => checkWritableFile(path(), 'report')).toThrow(message);
  });

  it('checkWritableFile with createFolder accepts a folder still to be made, unless a file is in its way', () => {
    expect(() => checkWritableFile(tmp.path('new', 'deeper', 'r.html'), 'report', { createFolder: true })).not.toThrow();
    expect(() => checkWritableFile(tmp.path('file', 'deeper', 'r.html'), 'report', { createFolder: true })).toThrow(/r\.html: .*file is a file, not a folder; choose another path for the report$/);
  });

  it('ensureWritableFolder refuses a file, and a folder below a file', () => {
    expect(() => ensureWritableFolder(tmp.path('file'))).toThrow(/file: is a file; the output folder must be a folder/);
    expect(() => ensureWritableFolder(tmp.path('file', 'sub'))).toThrow(/sub: the output folder cannot be written \(ENOTDIR\)/);
  });

  it('writeFileAtomic gives an OptionError when the folder went away during the work', () => {
    expect(() => writeFileAtomic(tmp.path('file', 'late.json'), '{}')).toThrow(OptionError);
    expect(() => writeFileAtomic(tmp.path('file', 'late.json'), '{}')).toThrow(/late\.json: cannot write \(ENOTDIR\)$/);
    expect(() => writeFileAtomic(tmp.path('gone', 'late.json'), '{}')).toThrow(/late\.json: cannot write \(ENOENT\)$/);
  });
});
