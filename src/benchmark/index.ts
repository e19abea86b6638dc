export { BOOTSTRAP_DEFAULTS, bootstrapMean, quantile, type BootstrapOptions, type Estimate } from './bootstrap.js';
export { BenchInputError } from './errors.js';
export { averageRanks, kendallTauB, ndcg, pearson, rankAgreement, spearman, topKMembership, topKPrecision, topKSize, type RankAgreement } from './rank-metrics.js';
export { formatSeconds, renderBenchMarkdown } from './render.js';
export { parseScoreReport, readScoreFiles, type CriterionScores, type ModelScores } from './scores.js';
export { BENCH_DEFAULTS, buildBenchTable, frontierOf, METRICS, sortColumns, type BenchCell, type BenchOptions, type BenchTable, type GroupBy, type ModelRow } from './table.js';
export { COST_RATIO, recommend, RECOMMENDATION_TOLERANCE, type Recommendation } from './recommend.js';
