/**
 * safer's public library API. (The CLI imports each module it runs directly, so that a command
 * loads only what it needs.)
 *
 * @example
 * import { prepareModelFile, openEvalData, evaluateModel } from 'safer';
 * const data = await openEvalData({ data: 'zoo/bundled/images.npy', labels: 'zoo/bundled/labels.npy' });
 * const model = await prepareModelFile('zoo/bundled/model.onnx', { sampleShape: data.sampleShape });
 * const { accuracy } = await evaluateModel(model, data);
 */
export * from './errors.js';
export { VERSION } from './version.js';
export { loadModel, loadModelFile, parseModel, saveModel, serializeModel } from './onnx/model.js';
export type { Model, Graph, Node, Initializer, Tensor, ValueInfo, AttributeValue } from './onnx/ir.js';
export { withInitializerValues, withOutputs, initializersAsInputs } from './onnx/edit.js';
export { discoverLayers } from './layers/discover.js';
export type { Layer, LayerOp } from './layers/layer.js';
export { openEvalData, DataError, type EvalData, type Batch, type Preprocess, type OpenEvalDataOptions } from './data/index.js';
export { prepareModel, prepareModelFile, type PreparedModel, type PrepareOptions } from './model/prepare.js';
export { ShapeTable, type ValueShape } from './model/shape-table.js';
export { freeBatchAxis, type FreedBatch } from './model/free-batch.js';
export { inspectModel, type InspectReport } from './model/inspect.js';
export { evaluateModel, Evaluator, type Evaluable, type EvaluateOptions, type EvaluationResult } from './runtime/evaluate.js';
export * from './perturb/index.js';
export { GradientRunner, buildGradientGraph, differentiableClassifier, GRAD_RULES, type GradientResult, type GradientRunnerOptions } from './autodiff/index.js';
export { CutEngine, CutRun, type CutEngineOptions } from './cut/engine.js';
export { runSweep } from './sweep/run.js';
export { SweepEvaluator, type SweepEvaluatorOptions, type SweepIdentity } from './sweep/evaluator.js';
export { planJobs, selectLayers, type SweepJob } from './sweep/plan.js';
export { SWEEP_DEFAULTS, type SweepOptions, type SweepSummary, type SweepTiming } from './sweep/options.js';
export { parseRow, parseRowsText } from './rows/parse.js';
export { readRows, type ReadRows } from './rows/read.js';
export { rowKey, type SweepRow } from './rows/row.js';
export { dropCell, meanAndStd, readDropTable, tabulateRows, type DropCell, type DropTable, type ModelDrops, type PerturbationDrops } from './rows/summary.js';
export { CRITERIA, DEFAULT_CRITERIA, resolveCriteria, type Criterion, type CriterionInstance } from './criteria/index.js';
export { scoreModel, type ScoreReport, type ScoredCriterion } from './criteria/score.js';
export { buildBenchTable, kendallTauB, ndcg, readScoreFiles, renderBenchMarkdown, spearman, topKPrecision } from './benchmark/index.js';
export { ASSESS_DEFAULTS, assessModel, type AssessOptions, type AssessReport } from './assess/assess.js';
export type { LayerVerdict, MeasuredDrop, Verdict } from './assess/verdict.js';
