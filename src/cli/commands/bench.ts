import { BENCH_DEFAULTS, BOOTSTRAP_DEFAULTS, buildBenchTable, readCurveFiles, readScoreFiles, renderBenchMarkdown, type GroupBy } from '../../benchmark/index.js';
import { OptionError, UsageError } from '../../errors.js';
import { checkWritableFile, writeFileAtomic } from '../../output/files.js';
import { readDropTable } from '../../rows/summary.js';
import { defineCommand } from '../command.js';
import { OUTPUT_OPTIONS } from '../data-options.js';
import { json } from '../format.js';

export const bench = defineCommand({
  name: 'bench',
  summary: 'rank criteria against measured ground truth: rank correlations, top-k, NDCG, cost',
  usage: '--truth results.jsonl[,...] --scores scores.json[,...] [--json]',
  details: 'Matches ground-truth rows (from "safer sweep") and score reports (from "safer score --json") by model_sha256.\n' +
    'Per model and perturbation: Spearman ρ, Kendall τ-b, top-k precision (k = ceil(20% of layers)) and NDCG of each\n' +
    'criterion against the accuracy drops (mean over seeds); levels of a perturbation family are averaged per model,\n' +
    'then models are averaged with a percentile bootstrap CI. Each cell shows the criterion\'s cost beside its quality;\n' +
    'the frontier lists the criteria no other beats in both cost and mean ρ.\n' +
    'Every model × perturbation level gets the reliability of its ranking of layers (from the drops\' standard errors)\n' +
    'and the noise ceiling it puts on ρ; the drop metrics count only cells with reliability >= --min-reliability, and\n' +
    'ρ against the loss increase and the KL divergence is given over every cell. With --budgets (curve files of\n' +
    '"safer budget curve ... --from rows --criterion a,b"), each criterion\'s budget regret: its plan\'s accuracy minus the\n' +
    'oracle plan\'s (built from the measured drops) at the same budget.',
  examples: ['safer bench --truth zoo/dataset/lenet5.jsonl,zoo/dataset/mlp.jsonl --scores zoo/scores/lenet5.json,zoo/scores/mlp.json'],
  options: {
    truth: { kind: 'list', value: 'file,..', description: 'ground-truth JSONL files written by safer sweep' },
    scores: { kind: 'list', value: 'file,..', description: 'score reports written by safer score --json' },
    budgets: { kind: 'list', value: 'file,..', description: 'budget curves with the oracle\'s and the criteria\'s plans (safer budget curve --from --criterion): budget regret' },
    by: { kind: 'string', value: 'columns', description: 'columns: perturbation families, or every level apart', choices: ['family', 'perturbation'], default: BENCH_DEFAULTS.by },
    'top-k': { kind: 'number', value: 'f', description: 'fraction of layers in the top-k', default: BENCH_DEFAULTS.topKFraction, min: 1e-9, max: 1 },
    resamples: { kind: 'integer', value: 'N', description: 'bootstrap resamples', default: BOOTSTRAP_DEFAULTS.resamples, min: 1 },
    confidence: { kind: 'number', value: 'c', description: 'confidence level of the intervals', default: BOOTSTRAP_DEFAULTS.confidence, min: 1e-9, max: 0.999999 },
    seed: { kind: 'integer', value: 'S', description: 'bootstrap seed', default: BOOTSTRAP_DEFAULTS.seed },
    'min-reliability': { kind: 'number', value: 'r', description: 'judge criteria only on cells whose ranking of layers is at least this reliable (0 keeps all)', default: BENCH_DEFAULTS.minReliability, min: 0, max: 1 },
    out: { kind: 'string', value: 'file', description: 'also write the output (Markdown, or JSON with --json) to this file' },
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io }) {
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}" for "safer bench"; name files with --truth and --scores`);
    if (!options.truth?.length) throw new UsageError('--truth is required: the JSONL file(s) written by "safer sweep"');
    if (!options.scores?.length) throw new UsageError('--scores is required: the JSON file(s) written by "safer score --json"');
    if (options.out !== undefined) checkWritableFile(options.out, 'benchmark output');
    const table = buildBenchTable(readDropTable(options.truth), readScoreFiles(options.scores), {
      by: options.by as GroupBy,
      topKFraction: options['top-k'],
      minReliability: options['min-reliability'],
      ...(options.budgets ? { curves: readCurveFiles(options.budgets) } : {}),
      bootstrap: { resamples: options.resamples, confidence: options.confidence, seed: options.seed },
    });
    if (table.cells.length === 0) {
      throw new OptionError(`no criterion could be compared with the ground truth: ${table.notes.join('; ') || 'no matching models'}`);
    }
    const text = options.json ? json(table) : renderBenchMarkdown(table);
    if (options.out !== undefined) writeFileAtomic(options.out, text + '\n');
    io.out(text);
  },
});
