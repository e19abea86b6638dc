/** No protection: every layer not kept is exposed to bit flips. */
import { protectAllocation } from '../allocations.js';
import { freeLayers } from '../layers.js';
import { defineBudgetMethod } from '../method.js';

export default defineBudgetMethod({
  id: 'none',
  title: 'No protection (kept layers only)',
  cite: 'safer baseline',
  kinds: ['protect'],
  needs: { data: false, costs: false, weights: false, trace: false },
  allocate: ({ layers, keep }) => ({ allocation: protectAllocation(layers, freeLayers(layers, keep), new Set()), bound: null }),
});
