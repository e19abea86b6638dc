/**
 * Reverse-mode differentiation of ONNX graphs, run on onnxruntime.
 *
 * @example
 * const runner = await GradientRunner.create(loadModel('model.onnx'), { wrt: layers.flatMap((l) => [l.name, ...(l.bias ? [l.bias] : [])]) });
 * const { loss, gradients } = await runner.run(images, [1, 28, 28], labels);
 */
export { buildGradientGraph, differentiate, type DifferentiatedModel, type DifferentiateOptions, type GradientGraph, type GradientGraphOptions } from './gradient-graph.js';
export { GradientRunner, type GradientResult, type GradientRunnerOptions } from './runner.js';
export { prepareClassifier, prepareModel, type PreparedModel } from './prepare.js';
export { GRADIENT_OPSET, upgradeOpset } from '../onnx/opset-upgrade.js';
export { ShapeTable, type Feed, type ValueShape } from '../model/shape-table.js';
export { verifyGradientShapes } from './verify.js';
export { GRAD_RULES, type GradOp } from './rules/index.js';
export { NOT_DIFFERENTIABLE, ZERO_GRADIENT, type GradEntry, type GradRule } from './rule.js';
