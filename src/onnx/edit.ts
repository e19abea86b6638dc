/** Pure edits of a model: each returns a new Model and leaves its argument untouched. */
import { ModelError } from '../errors.js';
import { onnxTypeCode, sizeOf, type TypedArray } from './dtypes.js';
import type { Graph, Initializer, Model, ValueInfo } from './ir.js';

function withGraph(model: Model, graph: Partial<Graph>): Model {
  return { ...model, graph: { ...model.graph, ...graph } };
}

/** Replaces the values of some initializers (same element count and type; dims kept). */
export function withInitializerValues(model: Model, values: ReadonlyMap<string, TypedArray>): Model {
  if (values.size === 0) return model;
  const initializers = new Map(model.graph.initializers);
  for (const [name, data] of values) {
    const old = initializers.get(name);
    if (!old) throw new ModelError(`no initializer named "${name}" in the model`);
    if (data.length !== sizeOf(old.dims) || data.constructor !== old.data.constructor) {
      throw new ModelError(
        `initializer "${name}": replacement has ${data.length} ${data.constructor.name} values, expected ${sizeOf(old.dims)} ${old.dataType}`,
      );
    }
    initializers.set(name, { ...old, data });
  }
  return withGraph(model, { initializers });
}

/** Sets the graph outputs (existing value infos are reused where the graph has them). */
export function withOutputs(model: Model, outputs: readonly ValueInfo[]): Model {
  return withGraph(model, { outputs });
}

/** Turns initializers into graph inputs, so that one session can be run at other values of them. */
export function initializersAsInputs(model: Model, names: readonly string[]): Model {
  const initializers = new Map(model.graph.initializers);
  const added: ValueInfo[] = [];
  for (const name of names) {
    const init = initializers.get(name);
    if (!init) throw new ModelError(`no initializer named "${name}" in the model`);
    initializers.delete(name);
    added.push(valueInfoOf(init));
  }
  const inputs = [...model.graph.inputs.filter((v) => !names.includes(v.name)), ...added];
  return withGraph(model, { initializers, inputs });
}

export function valueInfoOf(init: Initializer): ValueInfo {
  return { name: init.name, elemType: onnxTypeCode(init.dataType), shape: [...init.dims] };
}
