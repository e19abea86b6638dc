import { forEachEntry, type ChannelLayout } from './target.js';
import { toInt8Codes } from './quantize.js';
import type { Rng } from './rng.js';

/**
 * Chooses each of `total` bit positions independently with probability `rate`
 * and calls `flip` on the chosen ones in increasing order. Gaps between chosen
 * positions are geometric, so the cost is one `rng.geometric(rate)` per flip
 * plus one for the gap that runs past the end (none when rate is 0 or 1).
 */
export function forEachFlippedBit(total: number, rate: number, rng: Rng, flip: (position: number) => void): void {
  for (let position = rng.geometric(rate); position < total; position += rng.geometric(rate) + 1) {
    flip(position);
  }
}

/**
 * `bitflip:p` — flips every bit of every float32 entry independently with
 * probability p. Bit position e·32 + b is bit b (value 2^b, 0 = mantissa LSB,
 * 31 = sign) of entry e. The result may hold NaN or ±Infinity.
 */
export function flipFloat32Bits(weight: Float32Array, rate: number, rng: Rng): Float32Array {
  const out = weight.slice();
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length);
  forEachFlippedBit(words.length * 32, rate, rng, (position) => {
    words[Math.floor(position / 32)]! ^= 1 << position % 32;
  });
  return out;
}

/**
 * `bitflip8:p` — quantizes per channel to the int8 codes of `quantc:8`, flips
 * every bit of every code independently with probability p (bit e·8 + b is bit b
 * of code e in two's complement; a code may become −128), then dequantizes
 * w' = fround(code · s_c). Channels whose max |w| is 0 have scale 0 and keep
 * their original (zero) values: flips are drawn there too but have no effect.
 * At p = 0 this equals `quantc:8` except that a code has no −0: where quantc:8
 * gives −0, bitflip8 gives +0 (as a real int8 round trip does).
 */
export function flipInt8Bits(weight: Float32Array, layout: ChannelLayout, rate: number, rng: Rng): Float32Array {
  const { codes, scales } = toInt8Codes(weight, layout);
  const bytes = new Uint8Array(codes.buffer, codes.byteOffset, codes.length);
  forEachFlippedBit(bytes.length * 8, rate, rng, (position) => {
    bytes[Math.floor(position / 8)]! ^= 1 << position % 8;
  });
  const out = weight.slice();
  forEachEntry(layout, (i, c) => {
    const scale = scales[c]!;
    if (scale !== 0) out[i] = Math.fround(codes[i]! * scale);
  });
  return out;
}
