/** Grouping of layers for the frontier cache: consecutive layers whose cached upstream values fit a memory bound. */
import type { Layer } from '../layers/layer.js';
import type { ShapeTable } from '../model/shape-table.js';
import type { DownstreamCut } from './cut.js';

export interface LayerGroup {
  layers: Layer[];
  values: string[];
  bytesPerSample: number;
}

/** Consecutive layers whose frontier values for `count` samples fit `memoryBytes` together. */
export function groupLayers(layers: readonly Layer[], cuts: ReadonlyMap<Layer, DownstreamCut>, shapes: ShapeTable, count: number, memoryBytes: number): LayerGroup[] {
  const groups: LayerGroup[] = [];
  let current: LayerGroup = { layers: [], values: [], bytesPerSample: 0 };
  for (const layer of layers) {
    const names = (cuts.get(layer) as DownstreamCut).frontier.map((v) => v.name);
    let fresh = names.filter((v) => !current.values.includes(v));
    const extra = fresh.reduce((a, v) => a + shapes.sampleBytes(v), 0);
    if (current.layers.length > 0 && (current.bytesPerSample + extra) * count > memoryBytes) {
      groups.push(current);
      current = { layers: [], values: [], bytesPerSample: 0 };
      fresh = names;
    }
    current.layers.push(layer);
    current.values.push(...fresh);
    current.bytesPerSample = current.values.reduce((a, v) => a + shapes.sampleBytes(v), 0);
  }
  if (current.layers.length > 0) groups.push(current);
  return groups;
}
