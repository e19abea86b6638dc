/**
 * safer's public library API. The CLI imports only from here.
 *
 * @example
 * import { loadModel, discoverLayers, openEvalData, evaluateModel } from 'safer';
 * const model = loadModel('zoo/bundled/model.onnx');
 * const data = await openEvalData({ data: 'zoo/bundled/images.npy', labels: 'zoo/bundled/labels.npy' });
 * const { accuracy } = await evaluateModel(model, data);
 */
export * from './errors.js';
export { loadModel, parseModel, saveModel, serializeModel } from './onnx/model.js';
export type { Model, Graph, Node, Initializer, Tensor, ValueInfo, AttributeValue } from './onnx/ir.js';
export { withInitializerValues, withOutputs, initializersAsInputs } from './onnx/edit.js';
export { discoverLayers, requireLayers } from './layers/discover.js';
export type { Layer, LayerOp } from './layers/layer.js';
export { openEvalData, DataError, type EvalData, type Batch, type Preprocess, type OpenEvalDataOptions } from './data/index.js';
export { evaluateModel, Evaluator, type EvaluateOptions, type EvaluationResult } from './runtime/evaluate.js';
export { probeShapes } from './model/probe.js';
export { freeBatchAxis, type FreedBatch } from './model/free-batch.js';
export { inspectModel, type InspectReport } from './model/inspect.js';
export * from './perturb/index.js';
export { GradientRunner, buildGradientGraph, prepareClassifier, GRAD_RULES, type GradientResult, type GradientRunnerOptions } from './autodiff/index.js';
export { runSweep, type SweepOptions, type SweepRow, type SweepSummary, type SweepTiming } from './sweep/run.js';
export { readSweepRows, tabulate, type SweepTable, type DropCell } from './sweep/summary.js';
export { CRITERIA, DEFAULT_CRITERIA, resolveCriteria, type Criterion, type CriterionInstance } from './criteria/index.js';
export { scoreModel, scoreModelFile, type ScoreReport, type ScoredCriterion } from './criteria/score.js';
export { buildBenchTable, kendallTauB, ndcg, readScoreFiles, readTruthFiles, renderBenchMarkdown, spearman, topKPrecision } from './benchmark/index.js';
export { assessModel, type AssessOptions, type AssessReport, type LayerVerdict } from './assess/assess.js';
