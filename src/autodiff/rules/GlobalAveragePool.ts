import { defineGradRule } from '../rule.js';

/** dX = dY / (number of spatial positions), broadcast over them. */
export const GlobalAveragePool = defineGradRule({
  opType: 'GlobalAveragePool',
  inputs: ['X'],
  backward: ({ x, dY, g, shape }) => {
    const positions = shape(x.X).dims.slice(2).reduce((a, b) => a * b, 1);
    return { X: g.expand(g.scale(dY, 1 / positions), g.shapeOf(x.X)) };
  },
});
