/**
 * What a gradient rule is, and the three-way classification of ops in the
 * registry (onnxruntime training's gradient registry, JAX's defjvp_zero):
 * a rule that emits the backward nodes, ZERO_GRADIENT (the op's outputs carry
 * no gradient to its inputs), or NOT_DIFFERENTIABLE (asking is a bug).
 */
import type { Node, Tensor } from '../onnx/ir.js';
import type { GradBuilder, Value } from './builder.js';
import type { ShapeTable, ValueShape } from '../model/shape-table.js';

/** Everything a rule sees about the node it differentiates. */
export interface GradContext {
  readonly node: Node;
  readonly g: GradBuilder;
  readonly shapes: ShapeTable;
  /** Default-domain opset of the graph being built (13 or later). */
  readonly opset: number;
  /** Forward inputs by position ('' where an optional input is omitted). */
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  /** Gradient arriving at each output; undefined where that output gets none. */
  readonly dYs: readonly (Value | undefined)[];
  /** Whether the gradient of input `i` is wanted. */
  needs(i: number): boolean;
  /** Shape of a forward value. */
  shape(value: Value): ValueShape;
  /** Values of an integer input known at build time (constants and shape arithmetic). */
  ints(value: Value): readonly number[] | undefined;
  /** A constant tensor (initializer that is not differentiated, or Constant node output). */
  constant(value: Value): Tensor | undefined;
}

/** The context of a rule with named inputs (names from the ONNX schema). */
export interface RuleContext<I extends string> extends GradContext {
  /** Forward input values by schema name ('' where omitted). */
  readonly x: Readonly<Record<I, Value>>;
  /** Whether each input's gradient is wanted. */
  readonly wants: Readonly<Record<I, boolean>>;
  /** Gradient of output 0 (zeros if only other outputs receive gradients). */
  readonly dY: Value;
  /** Output 0. */
  readonly y: Value;
}

export interface GradRule {
  readonly kind: 'rule';
  readonly opType: string;
  /** Input names from the ONNX schema; empty for variadic ops. */
  readonly inputs: readonly string[];
  /** Input gradients by position (undefined: no gradient for that input). */
  backward(ctx: GradContext): readonly (Value | undefined)[];
}

export const ZERO_GRADIENT = { kind: 'zero' } as const;
export const NOT_DIFFERENTIABLE = { kind: 'not-differentiable' } as const;

export type GradEntry = GradRule | typeof ZERO_GRADIENT | typeof NOT_DIFFERENTIABLE;

/** A rule whose backward returns input gradients keyed by schema input name (tfjs style). */
export function defineGradRule<const I extends string>(spec: {
  opType: string;
  inputs: readonly I[];
  backward: (ctx: RuleContext<I>) => Partial<Record<I, Value>>;
}): GradRule {
  return {
    kind: 'rule',
    opType: spec.opType,
    inputs: spec.inputs,
    backward(ctx) {
      const x = {} as Record<I, Value>;
      const wants = {} as Record<I, boolean>;
      spec.inputs.forEach((name, i) => {
        x[name] = ctx.inputs[i] ?? '';
        wants[name] = ctx.needs(i);
      });
      const y = ctx.outputs[0] as Value;
      let dY0 = ctx.dYs[0];
      const named: RuleContext<I> = {
        ...ctx,
        x,
        wants,
        y,
        get dY(): Value {
          dY0 ??= ctx.g.zerosLike(y);
          return dY0;
        },
      };
      const result = spec.backward(named);
      return spec.inputs.map((name) => result[name]);
    },
  };
}

/** A rule for an op with a variable number of inputs; backward returns gradients by position. */
export function defineVariadicGradRule(spec: {
  opType: string;
  backward: (ctx: GradContext & { readonly dY: Value }) => readonly (Value | undefined)[];
}): GradRule {
  return {
    kind: 'rule',
    opType: spec.opType,
    inputs: [],
    backward(ctx) {
      const dY = ctx.dYs[0] ?? ctx.g.zerosLike(ctx.outputs[0] as Value);
      return spec.backward({ ...ctx, dY });
    },
  };
}
