import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berCurveSpec } from '../../../src/report/charts/ber-curve.js';
import { budgetCurveSpec } from '../../../src/report/charts/budget-curve.js';
import { criterionScatterSpec } from '../../../src/report/charts/criterion-scatter.js';
import { dropVsLevelSpec } from '../../../src/report/charts/drop-vs-level.js';
import { HEAT_MAP_METRICS, heatMapSpec, type HeatMapMetric } from '../../../src/report/charts/heat-map.js';
import { decades } from '../../../src/report/charts/log-axis.js';
import { textWidth } from '../../../src/report/charts/text-width.js';
import { renderSvg } from '../../../src/report/charts/vega.js';
import { pp } from '../../../src/report/format.js';
import { readResults, type ReportData } from '../../../src/report/index.js';
import { ROOT } from '../../helpers/cli.js';
import { makeResultsDirs, type ResultsDirs } from './results-dir.js';

/** The aria-labels Vega wrote for the data marks of one role ("rect mark", "point"). */
function labels(svg: string, role: string): string[] {
  return [...svg.matchAll(new RegExp(`aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="${role}"`, 'g'))].map((m) => m[1] as string);
}

describe('chart specs', () => {
  let dirs: ResultsDirs;
  let data: ReportData;
  beforeAll(() => {
    dirs = makeResultsDirs();
    data = readResults(dirs.withBudgets);
  });
  afterAll(() => dirs.cleanup());

  it('the heat map has one rect per layer × perturbation, each labelled with its layer, perturbation and drop', async () => {
    const s = data.sensitivity!;
    for (const metric of Object.keys(HEAT_MAP_METRICS) as HeatMapMetric[]) {
      const warnings: string[] = [];
      const svg = await renderSvg(heatMapSpec(s, metric), `t-${metric}`, warnings);
      expect(warnings).toEqual([]);
      const rects = labels(svg, 'rect mark');
      expect(rects).toHaveLength(s.layers.length * s.perturbations.length);
      for (const cell of s.cells) {
        const label = rects.find((l) => l.startsWith(`${cell.layer} × ${cell.perturbation}:`));
        expect(label).toContain(`accuracy drop ${pp(cell.drop)} pp`);
      }
    }
  });

  it('every other chart renders without a Vega warning and with one labelled point per data row', async () => {
    const s = data.sensitivity!;
    const c = data.criteria!;
    const render = async (spec: Parameters<typeof renderSvg>[0], id: string): Promise<string> => {
      const warnings: string[] = [];
      const svg = await renderSvg(spec, id, warnings);
      expect(warnings, id).toEqual([]);
      return svg;
    };
    for (const family of s.families) {
      const cells = s.cells.filter((x) => x.family === family);
      expect(labels(await render(dropVsLevelSpec(family, cells, s.confidence, s.layers), family), 'point')).toHaveLength(cells.length);
    }
    for (const r of c.recommended) {
      expect(labels(await render(criterionScatterSpec(r, c.agreement, 0.1), r.family), 'point')).toHaveLength(r.points.length);
    }
    for (const b of data.budgets) {
      expect(labels(await render(budgetCurveSpec(b.kind, b.curve!, b.plan), b.kind), 'point')).toHaveLength(b.curve!.length);
    }
    expect(labels(await render(berCurveSpec(data.ber!, 'protected', 1e-4), 'ber'), 'point')).toHaveLength(data.ber!.length);
  });

  it('a single-level family is drawn as a dot per layer, with the same labels', async () => {
    const cells = data.sensitivity!.cells.filter((x) => x.perturbation === 'prune:0.5');
    const warnings: string[] = [];
    const svg = await renderSvg(dropVsLevelSpec('prune', cells, 0.95, data.sensitivity!.layers), 'one', warnings);
    expect(warnings).toEqual([]);
    expect(labels(svg, 'point').map((l) => l.split(':')[0])).toEqual(cells.map((x) => `${x.layer} × prune`));
  });

  it('renders the 22 × 23 heat map of the zoo ResNet-20 sweep, text-free cells when columns are narrow', async () => {
    // The zoo's ground truth and scores of one model are a results dir without report.json.
    const dir = join(dirs.root, 'zoo-resnet20');
    mkdirSync(dir);
    copyFileSync(join(ROOT, 'zoo/dataset/resnet20.jsonl'), join(dir, 'sweep.jsonl'));
    copyFileSync(join(ROOT, 'zoo/scores/resnet20.json'), join(dir, 'scores.json'));
    const zoo = readResults(dir);
    const svg = await renderSvg(heatMapSpec(zoo.sensitivity!, 'drop'), 'zoo');
    expect(labels(svg, 'rect mark')).toHaveLength(22 * 23);
    expect(svg).not.toContain('class="mark-text role-mark');
    expect(await renderSvg(heatMapSpec(data.sensitivity!, 'drop'), 'small')).toContain('class="mark-text role-mark');
  });

  it('estimates label widths with Arial metrics, and log axes tick at powers of ten', () => {
    expect(textWidth('conv1.weight', 12)).toBeCloseTo(12 * (500 + 556 + 556 + 500 + 556 + 278 + 722 + 556 + 556 + 222 + 556 + 278) / 1000, 9);
    expect(decades([2e-6, 3e-4])).toEqual([1e-6, 1e-5, 1e-4, 1e-3]);
    expect(decades([1e-5, 1e-4])).toEqual([1e-5, 1e-4]);
    expect(decades([0, -1])).toEqual([]);
  });
});
