/**
 * What a queued job is: one (layer, perturbation, seed) of a sweep, named by a hash of everything its row
 * depends on, and carrying what a worker needs to open the model and data itself.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Preprocess } from '../data/preprocess.js';
import { ROW_FORMAT } from '../rows/row.js';
import type { SweepJob } from '../sweep/plan.js';
import { QueueError } from './errors.js';

/** All sweeps of one Redis database share one BullMQ queue: jobs of different sweeps that are the same job are one job. */
export const QUEUE_NAME = 'sweep-jobs';
/** The prefix of every key safer keeps in Redis (BullMQ's and its own). */
export const KEY_PREFIX = 'safer';

/** How `safer worker` hands its settings (WorkerSettings, JSON) to its sandboxed children. */
export const SETTINGS_ENV = 'SAFER_WORKER_SETTINGS';

/** The progress a sandboxed child reports first thing in a job: it has the job. */
export const STARTED_PROGRESS = 1;

/** The files of a sweep: relative paths are relative to `root` (or to a worker's --root), absolute ones are opened as they are. */
export interface JobFiles {
  root: string;
  model: string;
  data: string;
  labels?: string;
}

/** The data of one queued job (JSON). */
export interface QueueJobData {
  /** The sweep that enqueued it first (a job shared by two sweeps is one job). */
  sweep: string;
  layer: string;
  perturbation: string;
  seed: number;
  model_sha256: string;
  data_sha256: string;
  row_format: number;
  files: JobFiles;
  limit?: number;
  preprocess: Preprocess;
  /** The sweep's layers, which shape the graph-cut engine's groups (null: all weight layers). */
  layers: string[] | null;
  batch?: number;
  memory_bytes: number;
  /** The `model` field of the row: the model path as the sweep was given it. */
  row_model: string;
  /** safer's version that enqueued the job. */
  version: string;
}

/**
 * The job id: sha256 of the model's and data's sha256, the layer, the perturbation (canonical text), the
 * seed and the row format. Enqueuing a job whose id is already in the queue adds nothing (BullMQ's jobId).
 */
export function jobId(modelSha256: string, dataSha256: string, job: Pick<QueueJobData, 'layer' | 'perturbation' | 'seed'>, rowFormat = ROW_FORMAT): string {
  return createHash('sha256').update(['safer-job', modelSha256, dataSha256, job.layer, job.perturbation, String(job.seed), String(rowFormat)].join('\u0000')).digest('hex');
}

/** A sweep's default name: the model file's base name and a hash of model, data, perturbations, seeds and layers. */
export function sweepName(modelPath: string, definition: SweepDefinition): string {
  const base = (modelPath.split(/[\\/]/).pop() ?? 'model').replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'model';
  return `${base}-${definitionHash(definition).slice(0, 12)}`;
}

/** What makes two sweeps the same sweep. */
export interface SweepDefinition {
  model_sha256: string;
  data_sha256: string;
  perturbations: readonly string[];
  seeds: number;
  layers: readonly string[] | null;
}

export function definitionHash(d: SweepDefinition): string {
  return createHash('sha256').update(JSON.stringify([d.model_sha256, d.data_sha256, d.perturbations, d.seeds, d.layers])).digest('hex');
}

/** Sweep names go into Redis keys and messages: letters, digits, '.', '_', '-'. */
export function checkSweepName(name: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) ? undefined : `a sweep name is 1 to 100 letters, digits, '.', '_' or '-' (starting with a letter or digit), got "${name}"`;
}

/** A path as a job stores it: relative to `root` when it lies inside it, absolute otherwise. */
export function jobPath(path: string, root: string): string {
  const absolute = resolve(root, path);
  const rel = relative(root, absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : absolute;
}

/**
 * Where a worker opens a job's file: relative paths under its --root (default: where the sweep was
 * enqueued), and never outside it (a job from the queue is input, not an instruction); absolute paths
 * as they are.
 */
export function workerPath(path: string, files: JobFiles, root: string | undefined): string {
  if (isAbsolute(path)) return path;
  const base = resolve(root ?? files.root);
  const full = resolve(base, path);
  const rel = relative(base, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new QueueError(`a job names the path "${path}", which leads outside ${base}; refused`);
  return full;
}

/** The label of a job in messages. */
export function describeJob(job: Pick<QueueJobData, 'layer' | 'perturbation' | 'seed'> | SweepJob): string {
  const layer = typeof job.layer === 'string' ? job.layer : job.layer.name;
  const perturbation = 'spec' in job ? job.spec.text : job.perturbation;
  return `${layer} ${perturbation} seed ${job.seed}`;
}
