import { forEachEntry, wholeTensorLayout, type ChannelLayout } from './target.js';
import { roundHalfEven } from './round-half-even.js';

/*
 * Float32 semantics, matching the PyTorch reference
 *   s = w.abs().max() / (2**(b-1) - 1)                  # float32 scalar tensor
 *   w' = torch.round(w / s).clamp(-qmax, qmax) * s      # float32 tensors
 * step by step:
 *   s  = fround(max|w| / qmax)        max taken over float32 values (exact)
 *   t  = fround(w / s)                w / s in float64, then rounded to float32
 *   q  = clamp(roundHalfEven(t), −qmax, qmax)
 *   w' = fround(q · s)                q·s is exact in float64 (|q| < 2^15, s has 24 bits)
 * A float32 quotient or product computed in float64 and rounded once to float32
 * equals the correctly rounded float32 operation, so this is bit-exact with
 * IEEE float32 arithmetic. `max` propagates NaN like torch, making a channel
 * that holds a NaN all NaN. A scale of 0 (max|w| = 0, or a max so tiny that
 * max/qmax underflows float32) leaves the channel unchanged.
 */

/** Largest code of symmetric b-bit quantization: 2^(b−1) − 1. */
export function maxCode(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** The integer code of w for a nonzero float32 scale: clamp(roundHalfEven(fround(w / scale)), −qmax, qmax). */
export function quantizeValue(w: number, scale: number, qmax: number): number {
  const code = roundHalfEven(Math.fround(w / scale));
  return Math.min(qmax, Math.max(-qmax, code));
}

/** One float32 scale per channel: fround(max|w_c| / qmax). */
export function channelScales(weight: Float32Array, layout: ChannelLayout, qmax: number): Float32Array {
  const maxima = new Float64Array(layout.channels);
  forEachEntry(layout, (i, c) => {
    const a = Math.abs(weight[i]!);
    if (a > maxima[c]! || Number.isNaN(a)) maxima[c] = a;
  });
  return Float32Array.from(maxima, (max) => max / qmax);
}

/** `quant:b` — symmetric uniform quantization with one scale for the whole tensor. */
export function quantize(weight: Float32Array, bits: number): Float32Array {
  return quantizeChannels(weight, wholeTensorLayout(weight.length), bits);
}

/** `quantc:b` — symmetric uniform quantization with one scale per channel. */
export function quantizeChannels(weight: Float32Array, layout: ChannelLayout, bits: number): Float32Array {
  const qmax = maxCode(bits);
  const scales = channelScales(weight, layout, qmax);
  const out = weight.slice();
  forEachEntry(layout, (i, c) => {
    const scale = scales[c]!;
    if (scale !== 0) out[i] = Math.fround(quantizeValue(weight[i]!, scale, qmax) * scale);
  });
  return out;
}

/** The int8 codes in [−127, 127] and per-channel scales of `quantc:8` (codes of zero-scale channels are 0). */
export interface Int8Codes {
  codes: Int8Array;
  scales: Float32Array;
}

export function toInt8Codes(weight: Float32Array, layout: ChannelLayout): Int8Codes {
  const qmax = maxCode(8);
  const scales = channelScales(weight, layout, qmax);
  const codes = new Int8Array(weight.length);
  forEachEntry(layout, (i, c) => {
    const scale = scales[c]!;
    if (scale !== 0) codes[i] = quantizeValue(weight[i]!, scale, qmax);
  });
  return { codes, scales };
}
