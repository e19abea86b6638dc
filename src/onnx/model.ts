/** Loading and saving ONNX files. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ModelLoadError } from '../errors.js';
import { decodeModel, encodeModel } from './codec.js';
import type { Model } from './ir.js';

if (endianness() !== 'LE') {
  throw new Error('safer assumes a little-endian machine (ONNX raw data is little-endian)');
}

/** Reads and decodes an ONNX file, including tensors stored in external data files next to it. */
export function loadModel(path: string): Model {
  return loadModelFile(path).model;
}

/** `loadModel`, with the sha256 (hex) of the file's bytes: how results name the model they belong to. */
export function loadModelFile(path: string): { model: Model; sha256: string } {
  let bytes: Uint8Array;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new ModelLoadError(`${path}: is a directory, expected an .onnx file`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    throw new ModelLoadError(`${path}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (bytes.length === 0) throw new ModelLoadError(`${path}: file is empty`);
  const folder = dirname(resolve(path));
  const model = decodeModel(bytes, path, (location, offset, length) => readExternal(path, folder, location, offset, length));
  return { model, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function readExternal(modelPath: string, folder: string, location: string, offset: number, length: number | undefined): Uint8Array {
  const file = resolve(folder, location);
  // As onnx.checker does: external data lives in the model's folder or below it.
  const inside = relative(folder, file);
  if (isAbsolute(location) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new ModelLoadError(`${modelPath}: external data location "${location}" is outside the model's folder; external data files must sit next to the model`);
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new ModelLoadError(`${modelPath}: external data file "${location}" not found next to the model (looked for ${file})`);
  }
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ModelLoadError(`${modelPath}: external data "${location}" is not a file`);
    const size = stat.size;
    const n = length ?? size - offset;
    if (offset + n > size) {
      throw new ModelLoadError(`${modelPath}: external data "${location}" is too short (needs bytes ${offset}..${offset + n}, file has ${size})`);
    }
    const out = new Uint8Array(n);
    let read = 0;
    while (read < n) {
      const got = readSync(fd, out, read, n - read, offset + read);
      if (got === 0) throw new ModelLoadError(`${modelPath}: external data "${location}" ended after ${read} of ${n} bytes`);
      read += got;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Decodes an ONNX model held in memory. */
export function parseModel(bytes: Uint8Array, source = '<memory>'): Model {
  return decodeModel(bytes, source);
}

/** Serialises a model to ONNX protobuf bytes (all tensors inline as raw data). */
export function serializeModel(model: Model): Uint8Array {
  return encodeModel(model);
}

/** Writes a model atomically (temporary file, then rename), so a crash never leaves half a file. */
export function saveModel(model: Model, path: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeModel(model));
  renameSync(tmp, path);
}
