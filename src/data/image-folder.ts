import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DataError, fileError } from './errors.js';
import type { ImageDims } from './preprocess.js';

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

export interface ImageFolder {
  readonly root: string;
  /** class names, sorted; class index = position here */
  readonly classes: readonly string[];
  readonly files: readonly string[];
  /** class index per file, or undefined for a flat folder of unlabelled images */
  readonly labels: Int32Array | undefined;
}

/** Decoded pixels, HWC uint8 with 1 (gray) or 3 (RGB) channels; alpha is dropped. */
export interface DecodedImage extends ImageDims {
  readonly data: Uint8Array;
}

/**
 * Lists the images of `root` in the order torchvision's ImageFolder uses: one subfolder per
 * class (sorted names, hidden folders skipped), and in each the .png/.jpg/.jpeg files of
 * its whole tree, sorted by directory path and then by name. A folder without class
 * subfolders gives its own images, unlabelled.
 */
export async function scanImageFolder(root: string): Promise<ImageFolder> {
  const entries = await listDir(root);
  const classes = entries.filter((e) => e.isDirectory && !e.name.startsWith('.')).map((e) => e.name);
  const loose = entries.filter(isImage).map((e) => join(root, e.name));
  if (classes.length === 0) {
    if (loose.length === 0) throw empty(root);
    return { root, classes, files: loose, labels: undefined };
  }
  if (loose.length > 0) {
    throw new DataError(`${root} has both class subfolders and loose images (${relative(root, loose[0]!)}); move the images into a class subfolder`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  for (const [index, name] of classes.entries()) {
    for (const file of await listImages(join(root, name))) {
      files.push(file);
      labels.push(index);
    }
  }
  if (files.length === 0) throw empty(root);
  return { root, classes, files, labels: Int32Array.from(labels) };
}

/** The PNG and JPEG decoders, loaded on first use: only image folders need them (20 ms of every command's start-up). */
interface Decoders {
  png: typeof import('pngjs').PNG;
  jpeg: typeof import('jpeg-js');
}
let decoders: Promise<Decoders> | undefined;
function loadDecoders(): Promise<Decoders> {
  decoders ??= Promise.all([import('pngjs'), import('jpeg-js')]).then(([png, jpeg]) => ({ png: png.PNG, jpeg: jpeg.default }));
  return decoders;
}

/** Reads and decodes one PNG or JPEG file. */
export async function decodeImageFile(file: string): Promise<DecodedImage> {
  const { png, jpeg } = await loadDecoders();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw fileError(file, error);
  }
  checkDeclaredSize(file, bytes);
  try {
    return /\.png$/i.test(file) ? decodePng(png, bytes) : decodeJpeg(jpeg, bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataError(`${file} could not be decoded (${reason}); replace or remove the file`);
  }
}

function decodePng(decoder: Decoders['png'], bytes: Buffer): DecodedImage {
  const png = decoder.sync.read(bytes); // RGBA, 8 bits per channel
  return keepChannels(png, png.data, png.color ? 3 : 1, 4);
}

/** Decoded images are held in memory whole: at most this many pixels (8192 × 8192). */
const MAX_PIXELS = 2 ** 26;

/**
 * Refuses an image whose header declares more than MAX_PIXELS before a decoder allocates for it
 * (a damaged or hostile 30000×30000 PNG would take gigabytes and minutes).
 */
function checkDeclaredSize(file: string, bytes: Uint8Array): void {
  const size = /\.png$/i.test(file) ? pngSize(bytes) : jpegSize(bytes);
  if (size === undefined) return; // the decoder says what is wrong
  const [width, height] = size;
  if (width * height > MAX_PIXELS) {
    throw new DataError(`${file} declares ${width}×${height} pixels, more than the ${MAX_PIXELS} (8192×8192) safer decodes; resize it, or remove the file if it is damaged`);
  }
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] | undefined {
  if (bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16, false), view.getUint32(20, false)];
}

/** Width and height from a JPEG's start-of-frame header. */
function jpegSize(bytes: Uint8Array): [number, number] | undefined {
  const frame = startOfFrame(bytes);
  if (frame === undefined || frame + 9 > bytes.length) return undefined;
  const height = (bytes[frame + 5]! << 8) | bytes[frame + 6]!;
  const width = (bytes[frame + 7]! << 8) | bytes[frame + 8]!;
  return [width, height];
}

function decodeJpeg(jpeg: Decoders['jpeg'], bytes: Buffer): DecodedImage {
  // RGB, gray replicated; the limits make the decoder refuse what checkDeclaredSize could not see.
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
  return keepChannels(image, image.data, jpegComponents(bytes) === 1 ? 1 : 3, 3);
}

function keepChannels(size: { width: number; height: number }, data: Uint8Array, channels: number, stride: number): DecodedImage {
  const pixels = size.width * size.height;
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) out[p * channels + c] = data[p * stride + c]!;
  }
  return { height: size.height, width: size.width, channels, data: out };
}

/** The number of colour components in a JPEG's start-of-frame header (1 = grayscale), or undefined. */
function jpegComponents(bytes: Uint8Array): number | undefined {
  const frame = startOfFrame(bytes);
  return frame === undefined ? undefined : bytes[frame + 9];
}

/** Offset of a JPEG's start-of-frame marker, walking the segments after SOI; undefined if none is found. */
function startOfFrame(bytes: Uint8Array): number | undefined {
  let i = 2; // after SOI
  while (i + 9 < bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1]!;
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) return i;
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  return undefined;
}

/** Image files anywhere under `dir`, sorted by directory path, then file name. */
async function listImages(dir: string): Promise<string[]> {
  const byDir: Array<[string, string[]]> = [];
  const walk = async (path: string): Promise<void> => {
    const entries = await listDir(path);
    byDir.push([path, entries.filter(isImage).map((e) => e.name)]);
    for (const e of entries) if (e.isDirectory) await walk(join(path, e.name));
  };
  await walk(dir);
  byDir.sort(([a], [b]) => compare(a, b));
  return byDir.flatMap(([path, names]) => names.sort(compare).map((name) => join(path, name)));
}

interface Entry {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly isFile: boolean;
}

/** Entries of `dir` sorted by name, with symbolic links resolved (as torchvision follows them). */
async function listDir(dir: string): Promise<Entry[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const resolved = await Promise.all(
      entries.map(async (e) => {
        const target = e.isSymbolicLink() ? await stat(join(dir, e.name)) : e;
        return { name: e.name, isDirectory: target.isDirectory(), isFile: target.isFile() };
      }),
    );
    return resolved.sort((a, b) => compare(a.name, b.name));
  } catch (error) {
    throw fileError(dir, error);
  }
}

function isImage(entry: Entry): boolean {
  return entry.isFile && IMAGE_EXTENSIONS.test(entry.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function empty(root: string): DataError {
  return new DataError(`${root} contains no .png/.jpg/.jpeg images; expected one subfolder per class, e.g. ${join(root, 'cat', '0001.png')}`);
}
