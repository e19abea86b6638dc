/**
 * Reverse-mode differentiation of ONNX graphs, run on onnxruntime.
 *
 * @example
 * const prepared = await prepareModelFile('model.onnx');
 * const runner = await GradientRunner.create(prepared, { wrt: prepared.layers.flatMap((l) => [l.name, ...(l.bias ? [l.bias] : [])]) });
 * const { loss, gradients } = await runner.run(images, labels);
 */
export { buildGradientGraph, differentiate, type DifferentiatedModel, type DifferentiateOptions, type GradientGraph, type GradientGraphOptions } from './gradient-graph.js';
export { GradientRunner, type GradientResult, type GradientRunnerOptions } from './runner.js';
export { differentiableClassifier, differentiableModel, type DifferentiableModel } from './differentiable.js';
export { GRADIENT_OPSET, upgradeOpset } from '../onnx/opset-upgrade.js';
export { verifyGradientShapes } from './verify.js';
export { GRAD_RULES, type GradOp } from './rules/index.js';
export { NOT_DIFFERENTIABLE, ZERO_GRADIENT, type GradEntry, type GradRule } from './rule.js';
