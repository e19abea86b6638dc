import { assertNever } from '../errors.js';
import { PerturbationError, PerturbationSyntaxError } from './errors.js';
import { addNoise } from './noise.js';
import { prune, prunec } from './prune.js';
import { quantize, quantizeChannels } from './quantize.js';
import { flipFloat32Bits, flipInt8Bits } from './bit-flip.js';
import { checkTarget, type PerturbResult, type PerturbTarget } from './target.js';
import type { Rng } from './rng.js';

/** One perturbation of one weight tensor; definitions in the README of this folder and design.md. */
export type Perturbation =
  | { kind: 'prune'; ratio: number }
  | { kind: 'prunec'; ratio: number }
  | { kind: 'quant'; bits: number }
  | { kind: 'quantc'; bits: number }
  | { kind: 'bitflip'; rate: number }
  | { kind: 'bitflip8'; rate: number }
  | { kind: 'noise'; sigma: number };

export type PerturbationKind = Perturbation['kind'];

/** A parsed perturbation and its canonical text (formatPerturbation), e.g. "bitflip:1e-4" for "bitflip:0.0001". */
export interface PerturbationSpec {
  /** Canonical: what rows, seeds and names use, so that one level gives one result however it was written. */
  text: string;
  perturbation: Perturbation;
}

/** What a perturbation is for: compressing a model, or modelling a hardware fault. */
export type PerturbationPurpose = 'compression' | 'fault';

/** The level of a kind: what it means, which values are allowed, and its canonical text. */
interface Level {
  /** Why `level` is not allowed, or undefined if it is. */
  problem(level: number): string | undefined;
  /** Canonical text of a level ("0.5", "4", "1e-4"): what rows, seeds and instance names use. */
  format(level: number): string;
}

interface KindEntry<K extends PerturbationKind> {
  /** Usage form, e.g. "prune:r". */
  usage: string;
  /** One line of help: what the perturbation does (exact definitions in docs/design.md). */
  summary: string;
  purpose: PerturbationPurpose;
  stochastic: boolean;
  level: Level;
  make(level: number): Extract<Perturbation, { kind: K }>;
}

/** A decimal with at least one digit after the point: "0.5", "1.0" (as the published data set writes ratios and sigmas). */
const decimal = (x: number): string => {
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
};

const RATIO: Level = {
  problem: (level) => (level >= 0 && level <= 1 ? undefined : `ratio must be in [0, 1], got ${level}`),
  format: decimal,
};

const BITS: Level = {
  problem: (level) => (Number.isInteger(level) && level >= 2 && level <= 16 ? undefined : `bits must be an integer in 2..16, got ${level}`),
  format: (bits) => String(bits),
};

/** Bit error rates in exponent form: "1e-4", "2.5e-6". */
const RATE: Level = {
  problem: (level) => (level >= 0 && level <= 1 ? undefined : `rate must be in [0, 1], got ${level}`),
  format: (rate) => rate.toExponential().replace('e+', 'e'),
};

const SIGMA: Level = {
  problem: (sigma) => (sigma >= 0 && Number.isFinite(sigma) ? undefined : `sigma must be finite and ≥ 0, got ${sigma}`),
  format: decimal,
};

/** Every perturbation kind, in the order of the usage message. */
export const PERTURBATION_KINDS: { readonly [K in PerturbationKind]: KindEntry<K> } = {
  prune: {
    usage: 'prune:r',
    summary: 'magnitude pruning: zero the floor(r·n) smallest |w| (stable on ties)',
    purpose: 'compression',
    stochastic: false,
    level: RATIO,
    make: (ratio) => ({ kind: 'prune', ratio }),
  },
  prunec: {
    usage: 'prunec:r',
    summary: 'channel pruning: zero the floor(r·C) output channels of smallest L2 norm, with their bias',
    purpose: 'compression',
    stochastic: false,
    level: RATIO,
    make: (ratio) => ({ kind: 'prunec', ratio }),
  },
  quant: {
    usage: 'quant:b',
    summary: 'symmetric uniform b-bit quantization, one scale per tensor',
    purpose: 'compression',
    stochastic: false,
    level: BITS,
    make: (bits) => ({ kind: 'quant', bits }),
  },
  quantc: {
    usage: 'quantc:b',
    summary: 'symmetric uniform b-bit quantization, one scale per output channel',
    purpose: 'compression',
    stochastic: false,
    level: BITS,
    make: (bits) => ({ kind: 'quantc', bits }),
  },
  bitflip: {
    usage: 'bitflip:p',
    summary: 'flip each bit of the float32 weights with probability p (bit error rate)',
    purpose: 'fault',
    stochastic: true,
    level: RATE,
    make: (rate) => ({ kind: 'bitflip', rate }),
  },
  bitflip8: {
    usage: 'bitflip8:p',
    summary: 'flip each bit of the int8 codes of quantc:8 with probability p',
    purpose: 'fault',
    stochastic: true,
    level: RATE,
    make: (rate) => ({ kind: 'bitflip8', rate }),
  },
  noise: {
    usage: 'noise:s',
    summary: 'add s·std(w)·N(0, 1) to every weight',
    purpose: 'fault',
    stochastic: true,
    level: SIGMA,
    make: (sigma) => ({ kind: 'noise', sigma }),
  },
};

/** The perturbation kind a family name read from a file names, if it is one. */
export function kindOf(family: string): PerturbationKind | undefined {
  return isKind(family) ? family : undefined;
}

/** The purpose of a perturbation kind (or of a family name read from a file; undefined if unknown). */
export function purposeOf(kind: string): PerturbationPurpose | undefined {
  return isKind(kind) ? PERTURBATION_KINDS[kind].purpose : undefined;
}

/** One help line per perturbation kind, from the table: "  prune:r   magnitude pruning: ...". */
export function perturbationHelp(): string {
  const width = Math.max(...KIND_NAMES.map((k) => PERTURBATION_KINDS[k].usage.length));
  return KIND_NAMES.map((k) => `  ${PERTURBATION_KINDS[k].usage.padEnd(width)}  ${PERTURBATION_KINDS[k].summary} (${PERTURBATION_KINDS[k].purpose})`).join('\n');
}

const KIND_NAMES = Object.keys(PERTURBATION_KINDS) as PerturbationKind[];
const ACCEPTED = `expected one of ${KIND_NAMES.map((k) => PERTURBATION_KINDS[k].usage).join(', ')}`;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isKind(name: string): name is PerturbationKind {
  return Object.hasOwn(PERTURBATION_KINDS, name);
}

/** The level of a perturbation: its ratio, bits, rate or sigma. */
export function levelOf(p: Perturbation): number {
  switch (p.kind) {
    case 'prune':
    case 'prunec':
      return p.ratio;
    case 'quant':
    case 'quantc':
      return p.bits;
    case 'bitflip':
    case 'bitflip8':
      return p.rate;
    case 'noise':
      return p.sigma;
    default:
      return assertNever(p, 'perturbation');
  }
}

/** Canonical text of a perturbation, e.g. "prune:0.5", "bitflip:1e-5". Parsing it gives back an equal perturbation. */
export function formatPerturbation(p: Perturbation): string {
  return `${p.kind}:${PERTURBATION_KINDS[p.kind].level.format(levelOf(p))}`;
}

/** The canonical text of a perturbation given as text (unchanged, but trimmed, if it does not parse). */
export function canonicalPerturbationText(text: string): string {
  try {
    return formatPerturbation(parsePerturbation(text).perturbation);
  } catch {
    return text.trim();
  }
}

/** The family of a perturbation text: what comes before ':' ("prune" for "prune:0.5"). */
export function perturbationFamily(text: string): string {
  const colon = text.indexOf(':');
  return colon < 0 ? text : text.slice(0, colon);
}

export function isStochastic(p: Perturbation): boolean {
  return PERTURBATION_KINDS[p.kind].stochastic;
}

/**
 * Parses one perturbation such as "prune:0.5", "quantc:4" or "bitflip:1e-4".
 * Throws `PerturbationSyntaxError` saying what is wrong and listing the accepted forms.
 */
export function parsePerturbation(text: string): PerturbationSpec {
  const trimmed = text.trim();
  if (trimmed === '') throw new PerturbationSyntaxError(`empty perturbation; ${ACCEPTED}`);
  const colon = trimmed.indexOf(':');
  const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
  if (!isKind(name)) throw new PerturbationSyntaxError(`unknown perturbation "${trimmed}"; ${ACCEPTED}`);
  const entry = PERTURBATION_KINDS[name];
  if (colon < 0) {
    throw new PerturbationSyntaxError(`perturbation "${trimmed}" needs a level, as in ${entry.usage}; ${ACCEPTED}`);
  }
  const levelText = trimmed.slice(colon + 1);
  if (!DECIMAL.test(levelText)) {
    throw new PerturbationSyntaxError(
      `perturbation "${trimmed}": level "${levelText}" is not a decimal number, as in ${entry.usage}; ${ACCEPTED}`,
    );
  }
  const level = Number(levelText);
  const problem = entry.level.problem(level);
  if (problem !== undefined) throw new PerturbationSyntaxError(`perturbation "${trimmed}": ${problem}`);
  const perturbation = entry.make(level);
  return { text: formatPerturbation(perturbation), perturbation };
}

/**
 * Parses a comma-separated list such as "prune:0.5,quant:4"; spaces around items are ignored. A
 * perturbation given twice (also as two texts of one level, "bitflip:1e-2,bitflip:0.01") is an error:
 * measured twice, its rows would count as extra seeds.
 */
export function parsePerturbationList(text: string): PerturbationSpec[] {
  const items = text.split(',');
  if (items.some((item) => item.trim() === '')) {
    throw new PerturbationSyntaxError(`empty item in perturbation list "${text}"; ${ACCEPTED}`);
  }
  const specs = items.map(parsePerturbation);
  specs.forEach((spec, i) => {
    const first = specs.findIndex((s) => s.text === spec.text);
    if (first < i) {
      const written = items[first]!.trim() === items[i]!.trim() ? `"${items[i]!.trim()}"` : `"${items[first]!.trim()}" and "${items[i]!.trim()}"`;
      throw new PerturbationSyntaxError(`perturbation ${spec.text} is given twice (${written}); give each perturbation once`);
    }
  });
  return specs;
}

/** Throws `PerturbationError` if the level of `p` is out of range (for perturbations built in code). */
export function checkPerturbation(p: Perturbation): void {
  const kind: string = p.kind;
  if (!isKind(kind)) throw new PerturbationError(`unknown perturbation kind "${kind}"; ${ACCEPTED}`);
  const problem = PERTURBATION_KINDS[kind].level.problem(levelOf(p));
  if (problem !== undefined) throw new PerturbationError(`${kind}: ${problem}`);
}

/**
 * Applies `p` to the target's weight (and, for prunec, its bias) and returns
 * new arrays; the target is never mutated. Only bitflip, bitflip8 and noise
 * draw from `rng`, in the order their functions document.
 *
 * @example
 * const { weight } = applyPerturbation({ weight, shape: [64, 3, 3, 3], channelAxis: 0 },
 *   parsePerturbation('quantc:4').perturbation, createRng(0));
 */
export function applyPerturbation(target: PerturbTarget, p: Perturbation, rng: Rng): PerturbResult {
  checkPerturbation(p);
  const layout = checkTarget(target);
  const { weight } = target;
  switch (p.kind) {
    case 'prune':
      return { weight: prune(weight, p.ratio) };
    case 'prunec':
      return prunec(weight, layout, p.ratio, target.bias);
    case 'quant':
      return { weight: quantize(weight, p.bits) };
    case 'quantc':
      return { weight: quantizeChannels(weight, layout, p.bits) };
    case 'bitflip':
      return { weight: flipFloat32Bits(weight, p.rate, rng) };
    case 'bitflip8':
      return { weight: flipInt8Bits(weight, layout, p.rate, rng) };
    case 'noise':
      return { weight: addNoise(weight, p.sigma, rng) };
    default:
      return assertNever(p, 'perturbation');
  }
}

