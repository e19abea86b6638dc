/**
 * GRAD_RULES: every op safer can differentiate through, in one typed table.
 * A rule (one file per op, file name = op type), ZERO_GRADIENT (outputs carry
 * no gradient back: comparisons, shape queries, constants, piecewise-constant
 * functions) or NOT_DIFFERENTIABLE (a gradient through it is a bug).
 * Ops whose outputs are all integer or boolean never carry a gradient and
 * need no entry; they are listed here when they are common, for clarity.
 */
import { NOT_DIFFERENTIABLE, ZERO_GRADIENT, type GradEntry } from '../rule.js';
import { Abs } from './Abs.js';
import { Add } from './Add.js';
import { AveragePool } from './AveragePool.js';
import { BatchNormalization } from './BatchNormalization.js';
import { Cast } from './Cast.js';
import { Celu } from './Celu.js';
import { Clip } from './Clip.js';
import { Concat } from './Concat.js';
import { Conv } from './Conv.js';
import { ConvTranspose } from './ConvTranspose.js';
import { Div } from './Div.js';
import { Dropout } from './Dropout.js';
import { Elu } from './Elu.js';
import { Erf } from './Erf.js';
import { Exp } from './Exp.js';
import { Expand } from './Expand.js';
import { Flatten } from './Flatten.js';
import { Gather } from './Gather.js';
import { Gelu } from './Gelu.js';
import { Gemm } from './Gemm.js';
import { GlobalAveragePool } from './GlobalAveragePool.js';
import { GlobalMaxPool } from './GlobalMaxPool.js';
import { HardSigmoid } from './HardSigmoid.js';
import { HardSwish } from './HardSwish.js';
import { Identity } from './Identity.js';
import { InstanceNormalization } from './InstanceNormalization.js';
import { LayerNormalization } from './LayerNormalization.js';
import { LeakyRelu } from './LeakyRelu.js';
import { Log } from './Log.js';
import { LogSoftmax } from './LogSoftmax.js';
import { MatMul } from './MatMul.js';
import { Max } from './Max.js';
import { MaxPool } from './MaxPool.js';
import { Mean } from './Mean.js';
import { Min } from './Min.js';
import { Mish } from './Mish.js';
import { Mul } from './Mul.js';
import { Neg } from './Neg.js';
import { PRelu } from './PRelu.js';
import { Pad } from './Pad.js';
import { Pow } from './Pow.js';
import { Reciprocal } from './Reciprocal.js';
import { ReduceL2 } from './ReduceL2.js';
import { ReduceMax } from './ReduceMax.js';
import { ReduceMean } from './ReduceMean.js';
import { ReduceMin } from './ReduceMin.js';
import { ReduceSum } from './ReduceSum.js';
import { ReduceSumSquare } from './ReduceSumSquare.js';
import { Relu } from './Relu.js';
import { Reshape } from './Reshape.js';
import { Selu } from './Selu.js';
import { Sigmoid } from './Sigmoid.js';
import { Slice } from './Slice.js';
import { Softmax } from './Softmax.js';
import { Softplus } from './Softplus.js';
import { Softsign } from './Softsign.js';
import { Split } from './Split.js';
import { Sqrt } from './Sqrt.js';
import { Squeeze } from './Squeeze.js';
import { Sub } from './Sub.js';
import { Sum } from './Sum.js';
import { Tanh } from './Tanh.js';
import { Tile } from './Tile.js';
import { Transpose } from './Transpose.js';
import { Unsqueeze } from './Unsqueeze.js';
import { Where } from './Where.js';

export const GRAD_RULES = {
  Abs,
  Add,
  AveragePool,
  BatchNormalization,
  Cast,
  Celu,
  Clip,
  Concat,
  Conv,
  ConvTranspose,
  Div,
  Dropout,
  Elu,
  Erf,
  Exp,
  Expand,
  Flatten,
  Gather,
  Gelu,
  Gemm,
  GlobalAveragePool,
  GlobalMaxPool,
  HardSigmoid,
  HardSwish,
  Identity,
  InstanceNormalization,
  LayerNormalization,
  LeakyRelu,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  MaxPool,
  Mean,
  Min,
  Mish,
  Mul,
  Neg,
  PRelu,
  Pad,
  Pow,
  Reciprocal,
  ReduceL2,
  ReduceMax,
  ReduceMean,
  ReduceMin,
  ReduceSum,
  ReduceSumSquare,
  Relu,
  Reshape,
  Selu,
  Sigmoid,
  Slice,
  Softmax,
  Softplus,
  Softsign,
  Split,
  Sqrt,
  Squeeze,
  Sub,
  Sum,
  Tanh,
  Tile,
  Transpose,
  Unsqueeze,
  Where,

  Shape: ZERO_GRADIENT,
  Size: ZERO_GRADIENT,
  Constant: ZERO_GRADIENT,
  ConstantOfShape: ZERO_GRADIENT,
  Range: ZERO_GRADIENT,
  EyeLike: ZERO_GRADIENT,
  Equal: ZERO_GRADIENT,
  Greater: ZERO_GRADIENT,
  GreaterOrEqual: ZERO_GRADIENT,
  Less: ZERO_GRADIENT,
  LessOrEqual: ZERO_GRADIENT,
  Not: ZERO_GRADIENT,
  And: ZERO_GRADIENT,
  Or: ZERO_GRADIENT,
  Xor: ZERO_GRADIENT,
  IsNaN: ZERO_GRADIENT,
  IsInf: ZERO_GRADIENT,
  NonZero: ZERO_GRADIENT,
  OneHot: ZERO_GRADIENT,
  Floor: ZERO_GRADIENT,
  Ceil: ZERO_GRADIENT,
  Round: ZERO_GRADIENT,
  Sign: ZERO_GRADIENT,
  RandomNormal: ZERO_GRADIENT,
  RandomUniform: ZERO_GRADIENT,

  ArgMax: NOT_DIFFERENTIABLE,
  ArgMin: NOT_DIFFERENTIABLE,
  Multinomial: NOT_DIFFERENTIABLE,
  Bernoulli: NOT_DIFFERENTIABLE,
  RandomNormalLike: NOT_DIFFERENTIABLE,
  RandomUniformLike: NOT_DIFFERENTIABLE,
} satisfies Record<string, GradEntry>;

export type GradOp = keyof typeof GRAD_RULES;
