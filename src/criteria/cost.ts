/**
 * What a criterion costs if run alone: wall-clock seconds and image-passes (one image through the
 * model forward = 1 forward; through a backward graph = 1 backward). Work shared between criteria
 * (base logits, a session, gradients) is computed once but charged in full to every criterion that
 * uses it, so a criterion's cost does not depend on which criteria ran before it.
 * Criteria run one after another: the ledger keeps a stack of frames and is not meant for
 * concurrent measurements.
 */

import { assert } from '../errors.js';

export interface Cost {
  seconds: number;
  forward: number;
  backward: number;
}

interface Frame {
  forward: number;
  backward: number;
  /** Wall time spent computing shared items inside this frame (not the frame's own work). */
  excluded: number;
  /** Shared items this frame depends on (transitively). */
  used: Set<string>;
}

interface SharedItem {
  value: unknown;
  /** The item's own cost, excluding items it used (those are in `deps`). */
  own: Cost;
  deps: ReadonlySet<string>;
}

export class CostLedger {
  private readonly stack: Frame[] = [];
  private readonly items = new Map<string, SharedItem>();

  private top(): Frame {
    const frame = this.stack[this.stack.length - 1];
    assert(frame, () => 'cost ledger used outside a measured run');
    return frame;
  }

  countForward(images: number): void {
    this.top().forward += images;
  }

  countBackward(images: number): void {
    this.top().backward += images;
  }

  /** Runs `work` and returns its result with its cost (own work plus every shared item it used). */
  async measure<T>(work: () => Promise<T>): Promise<{ value: T; cost: Cost }> {
    const frame: Frame = { forward: 0, backward: 0, excluded: 0, used: new Set() };
    this.stack.push(frame);
    const started = performance.now();
    try {
      const value = await work();
      const wall = (performance.now() - started) / 1000;
      const cost: Cost = { seconds: wall - frame.excluded, forward: frame.forward, backward: frame.backward };
      for (const key of frame.used) {
        const item = this.items.get(key);
        if (!item) continue;
        cost.seconds += item.own.seconds;
        cost.forward += item.own.forward;
        cost.backward += item.own.backward;
      }
      return { value, cost };
    } finally {
      this.stack.pop();
    }
  }

  /** The value of a shared item, computed on first use; its cost is charged to the caller each time. */
  async shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const caller = this.top();
    let item = this.items.get(key);
    if (!item) {
      const frame: Frame = { forward: 0, backward: 0, excluded: 0, used: new Set() };
      this.stack.push(frame);
      const started = performance.now();
      let value: unknown;
      try {
        value = await compute();
      } finally {
        this.stack.pop();
      }
      const wall = (performance.now() - started) / 1000;
      item = { value, own: { seconds: wall - frame.excluded, forward: frame.forward, backward: frame.backward }, deps: frame.used };
      this.items.set(key, item);
      caller.excluded += wall;
    }
    caller.used.add(key);
    for (const dep of item.deps) caller.used.add(dep);
    return item.value as T;
  }

  /** True once `key` has been computed. */
  has(key: string): boolean {
    return this.items.has(key);
  }
}
