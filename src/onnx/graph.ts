/** Read-only queries on a graph: producers, consumers, topological order, constant tracing. */
import { ModelLoadError } from '../errors.js';
import type { Graph, Node } from './ir.js';

/** Producer and consumer lookup for the values of one graph. */
export class GraphIndex {
  private readonly producers = new Map<string, Node>();
  private readonly consumerLists = new Map<string, Node[]>();

  constructor(readonly graph: Graph) {
    for (const node of graph.nodes) {
      for (const out of node.outputs) if (out !== '') this.producers.set(out, node);
      for (const input of node.inputs) {
        if (input === '') continue;
        const list = this.consumerLists.get(input);
        if (list) list.push(node);
        else this.consumerLists.set(input, [node]);
      }
    }
  }

  producer(value: string): Node | undefined {
    return this.producers.get(value);
  }

  consumers(value: string): readonly Node[] {
    return this.consumerLists.get(value) ?? [];
  }

  isInitializer(value: string): boolean {
    return this.graph.initializers.has(value);
  }
}

/**
 * Nodes in topological order. ONNX requires graphs to be sorted already; this
 * keeps file order where it is valid and repairs it where it is not.
 */
export function topologicalOrder(graph: Graph, source = 'model'): Node[] {
  const available = new Set<string>([
    ...graph.initializers.keys(),
    ...graph.inputs.map((v) => v.name),
    '',
  ]);
  const pending = new Map<Node, number>();
  const waiting = new Map<string, Node[]>();
  const ready: Node[] = [];
  for (const node of graph.nodes) {
    const missing = new Set(node.inputs.filter((i) => !available.has(i)));
    // Outputs of other nodes become available later; count only those.
    pending.set(node, missing.size);
    for (const m of missing) {
      const list = waiting.get(m);
      if (list) list.push(node);
      else waiting.set(m, [node]);
    }
    if (missing.size === 0) ready.push(node);
  }
  const position = new Map(graph.nodes.map((n, i) => [n, i]));
  const order: Node[] = [];
  // A small binary heap would be faster; graphs are small and usually sorted already.
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const node = ready.shift() as Node;
    order.push(node);
    for (const out of node.outputs) {
      for (const waiter of waiting.get(out) ?? []) {
        const left = (pending.get(waiter) ?? 0) - 1;
        pending.set(waiter, left);
        if (left === 0) ready.push(waiter);
      }
      waiting.delete(out);
    }
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.find((n) => !order.includes(n));
    const missing = stuck?.inputs.find((i) => !available.has(i) && !graph.nodes.some((p) => p.outputs.includes(i)));
    throw new ModelLoadError(
      missing !== undefined
        ? `${source}: node "${stuck?.name}" (${stuck?.opType}) reads "${missing}", which no node, input or initializer defines`
        : `${source}: the graph has a cycle through node "${stuck?.name}" (${stuck?.opType})`,
    );
  }
  return order;
}

/** Values that a set of outputs depends on, walking back to graph inputs and initializers. */
export function ancestorNodes(graph: Graph, outputs: Iterable<string>, stopAt: ReadonlySet<string> = new Set()): Set<Node> {
  const index = new GraphIndex(graph);
  const seen = new Set<Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const value = stack.pop() as string;
    if (stopAt.has(value)) continue;
    const node = index.producer(value);
    if (!node || seen.has(node)) continue;
    seen.add(node);
    for (const input of node.inputs) if (input !== '') stack.push(input);
  }
  return seen;
}
