import { readFile } from 'node:fs/promises';
import type { ArraySource } from './array-source.js';
import { DTYPES } from './dtypes.js';
import { DataError, fileError } from './errors.js';
import { npyFromBytes } from './npy.js';

/** (images, labels) key pairs looked up in this order; keys are member names without ".npy". */
const KEY_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['x', 'y'],
  ['images', 'labels'],
  ['X', 'Y'],
  ['data', 'target'],
];
const KEY_HELP = `name them x/y, images/labels, X/Y or data/target (numpy.savez(path, x=images, y=labels))`;

export interface NpzArrays {
  readonly images: ArraySource;
  readonly labels: ArraySource | undefined;
}

/**
 * Picks the images and labels arrays of an .npz archive (stored or deflated members) and
 * decompresses just those into memory: the first matching key pair, else the only array
 * (images, no labels), else the only two arrays told apart by shape (ndim ≥ 2 is images, 1-D is labels).
 */
export async function openNpz(file: string): Promise<NpzArrays> {
  let archive: Uint8Array;
  try {
    archive = await readFile(file);
  } catch (error) {
    throw fileError(file, error);
  }
  const keys = (await unzip(file, archive, () => false)).keys;
  const pair = KEY_PAIRS.find(([images]) => keys.includes(images));
  if (pair !== undefined) {
    const [imagesKey, labelsKey] = pair;
    const arrays = await extract(file, archive, keys.includes(labelsKey) ? [imagesKey, labelsKey] : [imagesKey]);
    return { images: arrays.get(imagesKey)!, labels: arrays.get(labelsKey) };
  }
  if (keys.length === 1) {
    const arrays = await extract(file, archive, keys);
    return { images: [...arrays.values()][0]!, labels: undefined };
  }
  if (keys.length === 2) {
    const arrays = [...(await extract(file, archive, keys)).values()];
    const images = arrays.find((a) => a.shape.length >= 2);
    const labels = arrays.find((a) => a.shape.length === 1 && DTYPES[a.dtype].integer);
    if (images !== undefined && labels !== undefined) return { images, labels };
  }
  const found = keys.length === 0 ? 'no .npy arrays' : `arrays ${keys.join(', ')}`;
  throw new DataError(`${file} has ${found}; cannot tell images from labels: ${KEY_HELP}`);
}

async function extract(file: string, archive: Uint8Array, keys: readonly string[]): Promise<Map<string, ArraySource>> {
  const { files } = await unzip(file, archive, (key) => keys.includes(key));
  const arrays = new Map<string, ArraySource>();
  for (const key of keys) {
    const bytes = files[`${key}.npy`];
    if (bytes !== undefined) arrays.set(key, await npyFromBytes(`${file}:${key}.npy`, bytes));
  }
  return arrays;
}

/** Members are decompressed into memory whole: at most this many bytes each. */
const MAX_MEMBER_BYTES = 2 ** 31;
/** Deflate cannot expand data more than about 1032 times. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Lists the archive's .npy member keys in archive order and decompresses those `want` accepts. The
 * decompressor is loaded here, on first use: every command reads data, few read .npz (9 ms of start-up).
 */
async function unzip(file: string, archive: Uint8Array, want: (key: string) => boolean): Promise<{ keys: string[]; files: Record<string, Uint8Array> }> {
  const { unzipSync } = await import('fflate');
  const keys: string[] = [];
  try {
    const files = unzipSync(archive, {
      filter: ({ name, size, originalSize, compression }) => {
        if (!name.endsWith('.npy')) return false;
        const key = name.slice(0, -'.npy'.length);
        keys.push(key);
        if (!want(key)) return false;
        // The decompressor allocates the declared size up front: check it against what the member can hold.
        const possible = compression === 0 ? size : MAX_DEFLATE_RATIO * size + 1024;
        if (originalSize > possible) {
          throw new DataError(`${file}: member ${name} declares ${originalSize} bytes but can hold at most ${possible}; the archive is damaged, write it again`);
        }
        if (originalSize > MAX_MEMBER_BYTES) {
          throw new DataError(`${file}: member ${name} is ${originalSize} bytes uncompressed, more than the 2 GiB an .npz member may have here; save the array as .npy (read in parts)`);
        }
        return true;
      },
    });
    return { keys, files };
  } catch (error) {
    if (error instanceof DataError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataError(`${file} is not a readable .npz (zip) archive (${reason}); write it with numpy.savez or numpy.savez_compressed`);
  }
}
