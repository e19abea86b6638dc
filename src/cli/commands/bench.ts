import { writeFileSync } from 'node:fs';
import { BOOTSTRAP_DEFAULTS, buildBenchTable, readScoreFiles, renderBenchMarkdown, type GroupBy } from '../../benchmark/index.js';
import { readDropTable } from '../../rows/summary.js';
import { OptionError } from '../../errors.js';
import { json } from '../format.js';
import type { Command } from '../command.js';

export const bench: Command = {
  name: 'bench',
  summary: 'rank criteria against measured ground truth: rank correlations, top-k, NDCG, cost',
  usage: '--truth results.jsonl[,...] --scores scores.json[,...] [--json]',
  details: 'Matches ground-truth rows (from "safer sweep") and score reports (from "safer score --json") by model_sha256.\n' +
    'Per model and perturbation: Spearman ρ, Kendall τ-b, top-k precision (k = ceil(20% of layers)) and NDCG of each\n' +
    'criterion against the accuracy drops (mean over seeds); levels of a perturbation family are averaged per model,\n' +
    'then models are averaged with a percentile bootstrap CI. Each cell shows the criterion\'s cost beside its quality;\n' +
    'the frontier lists the criteria no other beats in both cost and mean ρ.',
  options: {
    truth: { kind: 'list', value: 'file,..', description: 'ground-truth JSONL files written by safer sweep' },
    scores: { kind: 'list', value: 'file,..', description: 'score reports written by safer score --json' },
    by: { kind: 'string', value: 'family|perturbation', description: 'columns: perturbation families, or every level apart', defaultText: 'family' },
    'top-k': { kind: 'number', value: 'f', description: 'fraction of layers in the top-k', defaultText: '0.2' },
    resamples: { kind: 'integer', value: 'N', description: 'bootstrap resamples', defaultText: String(BOOTSTRAP_DEFAULTS.resamples) },
    confidence: { kind: 'number', value: 'c', description: 'confidence level of the intervals', defaultText: String(BOOTSTRAP_DEFAULTS.confidence) },
    seed: { kind: 'integer', value: 'S', description: 'bootstrap seed', defaultText: String(BOOTSTRAP_DEFAULTS.seed) },
    json: { kind: 'boolean', description: 'print the table as JSON (cells, frontier, per-model rows, notes)' },
    out: { kind: 'string', value: 'file', description: 'also write the output (Markdown, or JSON with --json) to this file' },
  },
  async run(options, io) {
    if (options.positional.length > 0) throw new OptionError(`unexpected argument "${options.positional[0]}" for "safer bench"; name files with --truth and --scores`);
    const truthFiles = options.list('truth');
    const scoreFiles = options.list('scores');
    if (!truthFiles?.length) throw new OptionError('--truth is required: the JSONL file(s) written by "safer sweep"');
    if (!scoreFiles?.length) throw new OptionError('--scores is required: the JSON file(s) written by "safer score --json"');
    const by = options.string('by') ?? 'family';
    if (by !== 'family' && by !== 'perturbation') throw new OptionError(`--by must be family or perturbation, got "${by}"`);
    const topK = options.number('top-k');
    if (topK !== undefined && !(topK > 0 && topK <= 1)) throw new OptionError(`--top-k must be a fraction in (0, 1], got ${topK}`);
    const confidence = options.number('confidence');
    if (confidence !== undefined && !(confidence > 0 && confidence < 1)) throw new OptionError(`--confidence must be in (0, 1), got ${confidence}`);
    const seed = options.number('seed');
    if (seed !== undefined && !Number.isSafeInteger(seed)) throw new OptionError(`--seed must be an integer, got ${seed}`);
    const resamples = options.positiveInt('resamples');
    const table = buildBenchTable(readDropTable(truthFiles), readScoreFiles(scoreFiles), {
      by: by as GroupBy,
      ...(topK !== undefined ? { topKFraction: topK } : {}),
      bootstrap: {
        ...(resamples !== undefined ? { resamples } : {}),
        ...(confidence !== undefined ? { confidence } : {}),
        ...(seed !== undefined ? { seed } : {}),
      },
    });
    if (table.cells.length === 0) {
      throw new OptionError(`no criterion could be compared with the ground truth: ${table.notes.join('; ') || 'no matching models'}`);
    }
    const text = options.flag('json') ? json(table) : renderBenchMarkdown(table);
    const out = options.string('out');
    if (out !== undefined) writeFileSync(out, text + '\n');
    io.out(text);
  },
};
