/** The one generator of probe inputs: deterministic values in [0, 1) that differ from element to element. */
export function probeInput(size: number): Float32Array {
  const out = new Float32Array(size);
  let state = 2463534242;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = (state >>> 0) / 2 ** 32;
  }
  return out;
}
