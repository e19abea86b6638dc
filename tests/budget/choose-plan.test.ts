import { describe, expect, it } from 'vitest';
import { chooseMeasuredPlan } from '../../src/budget/choose-plan.js';

describe('chooseMeasuredPlan', () => {
  it('takes the most accurate measured plan, though another has the lower loss', () => {
    // MobileNetV2 at 70% sparsity: the least-loss plan predicts one class; LAMP keeps 17%.
    const plans = [{ label: 'solver', measured: 1.9, accuracy: 0.1 }, { label: 'lamp', measured: 4.2, accuracy: 0.17 }, { label: 'erk', measured: 3.1, accuracy: 0.146 }];
    expect(chooseMeasuredPlan(plans).label).toBe('lamp');
  });

  it('breaks accuracy ties by the lower cost, then by the earlier plan', () => {
    expect(chooseMeasuredPlan([{ label: 'a', measured: 0.3, accuracy: 0.9 }, { label: 'b', measured: 0.2, accuracy: 0.9 }]).label).toBe('b');
    expect(chooseMeasuredPlan([{ label: 'a', measured: 0.2, accuracy: 0.9 }, { label: 'b', measured: 0.2, accuracy: 0.9 }]).label).toBe('a');
  });

  it('refuses an empty list', () => {
    expect(() => chooseMeasuredPlan([])).toThrow(/no plan/);
  });
});
