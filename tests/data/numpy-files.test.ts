/** Files written by NumPy itself (tests/fixtures/data/make-data-fixtures.py). */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError, openEvalData } from '../../src/data/index.js';
import { readAll } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));
const images = Float32Array.from({ length: 12 }, (_, i) => i / 10); // (arange(12, float32) / 10)
const labels = Int32Array.from([2, 0, 1]);

describe('files written by numpy', () => {
  it.each(['images-f4.npy', 'images-f4-v2.npy', 'images-f4-v3.npy'])('reads %s with labels-i8.npy', async (name) => {
    const ds = await openEvalData({ data: fixture(name), labels: fixture('labels-i8.npy') });
    expect(ds.sampleShape).toEqual([1, 2, 2]);
    expect(await readAll(ds, 2)).toEqual({ images, labels });
  });

  it.each(['xy-stored.npz', 'xy-deflated.npz'])('reads images and labels from %s', async (name) => {
    const ds = await openEvalData({ data: fixture(name) });
    expect(ds.hasLabels).toBe(true);
    expect(await readAll(ds, 2)).toEqual({ images, labels });
  });

  it.each([
    ['bad-fortran.npy', /Fortran order/],
    ['bad-big-endian.npy', /big-endian \(>f4\)/],
    ['bad-complex.npy', /unsupported dtype <c8/],
    ['bad-unicode.npy', /unsupported dtype <U3/],
  ])('refuses %s', async (name, message) => {
    const error = await openEvalData({ data: fixture(name) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(name);
  });
});
