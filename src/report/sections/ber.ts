/** 6. Accuracy against bit error rate, with and without the recommended protection. */
import { berCurveSpec } from '../charts/ber-curve.js';
import { renderSvg } from '../charts/vega.js';
import { percent } from '../format.js';
import { figure } from './html-util.js';
import type { Section, SectionContext } from './section.js';

export async function berSection({ data }: SectionContext): Promise<Section> {
  const base = { id: 'ber', title: 'Accuracy against bit error rate' };
  if (data.ber === null) {
    return { ...base, html: '<p class="missing">No <code>ber-curve.json</code> in this dir. <span>Written by the protection budget step (<code>safer budget</code>, not yet in this version of safer).</span></p>' };
  }
  const plan = data.budgets.find((b) => b.kind === 'protect')?.plan ?? null;
  const protectedLayers = plan === null ? null : Object.values(plan.layers).filter((v) => v === true).length;
  const overhead = plan === null ? undefined : Object.values(plan.achieved)[0];
  const label = plan === null
    ? 'with protection'
    : `protected: ${protectedLayers} ${protectedLayers === 1 ? 'layer' : 'layers'}${overhead !== undefined ? `, ${percent(overhead, 1)} of the weights` : ''}`;
  const designBer = plan?.budget['bit_error_rate'] ?? null;
  const svg = await renderSvg(berCurveSpec(data.ber, label, designBer), 'ber-curve');
  return {
    ...base,
    html: [
      '<p>Every unprotected layer gets bit flips at the same rate at once (independent seeds per layer and trial); protected layers keep their weights. Bands: intervals of the mean accuracy over the trials.</p>',
      figure(svg, '', 'data-chart="ber-curve"'),
    ].join('\n'),
  };
}
