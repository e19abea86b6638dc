/** Typed attribute readers: a missing attribute yields the default, a wrong kind is a model error. */
import { ModelError } from '../errors.js';
import type { AttributeValue, Node, Tensor } from './ir.js';

function find(node: Node, name: string, type: AttributeValue['type']): AttributeValue | undefined {
  const attr = node.attributes.get(name);
  if (attr !== undefined && attr.type !== type) {
    throw new ModelError(`node "${node.name}" (${node.opType}): attribute ${name} is ${attr.type}, expected ${type}`);
  }
  return attr;
}

export function attrInt(node: Node, name: string, fallback: number): number {
  const a = find(node, name, 'int');
  return a?.type === 'int' ? a.value : fallback;
}

export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = find(node, name, 'float');
  return a?.type === 'float' ? a.value : fallback;
}

export function attrString(node: Node, name: string, fallback: string): string {
  const a = find(node, name, 'string');
  return a?.type === 'string' ? a.value : fallback;
}

export function attrInts(node: Node, name: string): readonly number[] | undefined {
  const a = find(node, name, 'ints');
  return a?.type === 'ints' ? a.value : undefined;
}

export function attrFloats(node: Node, name: string): readonly number[] | undefined {
  const a = find(node, name, 'floats');
  return a?.type === 'floats' ? a.value : undefined;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a = find(node, name, 'tensor');
  return a?.type === 'tensor' ? a.value : undefined;
}

/**
 * The tensor a Constant node produces, from whichever of its value attributes it has (value,
 * value_float(s), value_int(s)); undefined for the kinds safer does not decode (strings, sparse).
 */
export function constantNodeValue(node: Node): Tensor | undefined {
  const t = attrTensor(node, 'value');
  if (t) return t;
  if (node.attributes.has('value_float')) return { dataType: 'float32', dims: [], data: Float32Array.of(attrFloat(node, 'value_float', 0)) };
  const floats = attrFloats(node, 'value_floats');
  if (floats) return { dataType: 'float32', dims: [floats.length], data: Float32Array.from(floats) };
  if (node.attributes.has('value_int')) return { dataType: 'int64', dims: [], data: BigInt64Array.of(BigInt(attrInt(node, 'value_int', 0))) };
  const ints = attrInts(node, 'value_ints');
  if (ints) return { dataType: 'int64', dims: [ints.length], data: BigInt64Array.from(ints, (v) => BigInt(v)) };
  return undefined;
}
