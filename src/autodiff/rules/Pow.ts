import { defineGradRule } from '../rule.js';
import { unbroadcast } from '../unbroadcast.js';

/** dX = dY · P · X^(P−1); dP = dY · Y · log X (unbroadcast). A constant scalar P is folded in. */
export const Pow = defineGradRule({
  opType: 'Pow',
  inputs: ['X', 'Y'],
  backward: ({ x, y, dY, wants, g, shape, constant }) => {
    const X = x.X;
    const out: { X?: string; Y?: string } = {};
    if (wants.X) {
      const p = constant(x.Y);
      if (p && p.data.length === 1) {
        const power = Number(p.data[0]);
        const dX = power === 1 ? dY
          : power === 2 ? g.mul(dY, g.scale(X, 2))
          : g.mul(g.scale(dY, power), g.pow(X, g.scalarLike(power - 1, X)));
        out.X = unbroadcast(g, dX, shape(y), X);
      } else {
        const P = g.cast(x.Y, g.typeOf(X));
        const dX = g.mul(g.mul(dY, P), g.pow(X, g.sub(P, g.scalarLike(1, P))));
        out.X = unbroadcast(g, dX, shape(y), X);
      }
    }
    if (wants.Y) {
      const dP = g.mul(g.mul(dY, y), g.log(X));
      out.Y = unbroadcast(g, g.cast(dP, g.typeOf(x.Y)), shape(y), x.Y);
    }
    return out;
  },
});
