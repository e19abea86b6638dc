/**
 * THE DECISION: per layer, the bits, pruning ratio and protection of the budget plans, or `safer
 * assess`'s compress/protect verdict while there are no plans; and the commands that check it.
 */
import { join } from 'node:path';
import type { BudgetPlan, Decision, DecisionRow, LayerInfo } from '../report-data.js';

/** Data options of a recorded command line that `safer eval` takes the same way. */
const DATA_FLAGS = ['--data', '--labels', '--limit', '--scale', '--mean', '--std', '--layout', '--resize', '--channels'];

export function decisionOf(
  layers: readonly LayerInfo[],
  plans: readonly BudgetPlan[],
  dir: string,
  data: { description: string | null; command: string | null; model: string | null },
): Decision {
  const plan = (kind: BudgetPlan['kind']): BudgetPlan | undefined => plans.find((p) => p.kind === kind);
  const setting = (kind: BudgetPlan['kind'], layer: string): number | boolean | undefined => plan(kind)?.layers[layer];
  const names = [...layers.map((l) => l.name)];
  for (const p of plans) for (const layer of Object.keys(p.layers)) if (!names.includes(layer)) names.push(layer);
  const rows: DecisionRow[] = names.map((name) => {
    const info = layers.find((l) => l.name === name);
    const bits = setting('quant', name);
    const ratio = setting('prune', name);
    const protect = setting('protect', name);
    return {
      layer: name,
      params: info?.params ?? null,
      bits: typeof bits === 'number' ? bits : null,
      pruneRatio: typeof ratio === 'number' ? ratio : null,
      protect: typeof protect === 'boolean' ? protect : plan('protect') ? false : info?.verdict?.protect ?? null,
      compress: info?.verdict?.compress ?? null,
    };
  });
  const source: Decision['source'] = plans.length > 0 ? 'plans' : layers.some((l) => l.verdict !== null) ? 'assess-verdict' : 'none';
  const dataArgs = dataArgsOf(data);
  return {
    source,
    rows,
    plans: plans.map((p) => ({ kind: p.kind, file: `plan-${p.kind}.json`, model: p.model })),
    // A written model is evaluated as it is; a plan without one is applied to the model first.
    snippets: plans.filter((p) => p.kind !== 'protect').map((p) => (p.model !== null
      ? `safer eval ${shellWord(join(dir, p.model))} ${dataArgs}`
      : `safer budget apply ${shellWord(join(dir, `plan-${p.kind}.json`))} ${shellWord(data.model ?? '<model.onnx>')} ${dataArgs} --model-out ${p.kind}.onnx`)),
  };
}

/** The data options to evaluate on the same images: from the recorded command, else from the data description. */
function dataArgsOf(data: { description: string | null; command: string | null }): string {
  if (data.command !== null) {
    const words = data.command.split(/\s+/);
    const args: string[] = [];
    words.forEach((word, i) => {
      const flag = DATA_FLAGS.find((f) => word === f || word.startsWith(`${f}=`));
      if (flag === undefined) return;
      args.push(word === flag && words[i + 1] !== undefined ? `${word} ${words[i + 1]}` : word);
    });
    if (args.length > 0) return args.join(' ');
  }
  // The description of src/data/dataset.ts: "<samples> (<N>×<shape> <dtype>[, first N of M])[, labels <file>]".
  const match = data.description === null ? null : /^(\S+) \((\d+)×[^)]*?(?:, first \d+ of \d+)?\)(?:, labels (\S+))?$/.exec(data.description);
  if (match) {
    const [, samples, count, labels] = match;
    const limit = data.description?.includes(', first ') ? ` --limit ${count}` : '';
    return `--data ${shellWord(samples as string)}${labels ? ` --labels ${shellWord(labels)}` : ''}${limit}`;
  }
  return '--data <evaluation data> --labels <labels>';
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
