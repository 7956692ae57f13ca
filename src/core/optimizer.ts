import type { OptimizerConfig } from './config.ts';
import type { Kernels } from './kernels/kernels.ts';

/** A parameter tensor and its gradient, the same length. */
export interface Parameter {
  readonly value: Float32Array;
  readonly gradient: Float32Array;
  /** Whether weight decay applies: true for weights, false (or absent) for biases. */
  readonly decays?: boolean;
}

/**
 * The optimizer's own state, as plain data: the update count and its buffers (velocities, or
 * Adam's first then second moments, one per parameter). Enough to continue bit-identically.
 */
export interface OptimizerState {
  steps: number;
  buffers: Float32Array[];
}

/** Applies one update to every parameter from its current gradient. */
export interface Optimizer {
  step(learningRate: number): void;
  /** A copy of the state. */
  exportState(): OptimizerState;
  /** Replaces the state with a copy of `state` (from exportState of the same configuration); throws on a shape mismatch. */
  importState(state: OptimizerState): void;
}

function stateOf(steps: number, buffers: readonly Float32Array[]): OptimizerState {
  return { steps, buffers: buffers.map((b) => b.slice()) };
}

function restoreInto(buffers: readonly Float32Array[], state: OptimizerState): void {
  if (state.buffers.length !== buffers.length || state.buffers.some((b, i) => b.length !== buffers[i]!.length)) {
    throw new RangeError('the optimizer state does not match this model and optimizer');
  }
  state.buffers.forEach((b, i) => buffers[i]!.set(b));
}

/**
 * Coupled weight decay (L2 regularisation): g ← g + λ·W for every parameter that decays, which
 * makes the gradient that of the mean loss plus (λ/2)·Σ W² over the weights.
 */
export function addWeightDecay(kernels: Kernels, parameters: readonly Parameter[], lambda: number): void {
  for (const p of parameters) if (p.decays) kernels.axpy(p.value.length, lambda, p.value, p.gradient);
}

/**
 * The update rule for a set of parameters. State (velocities, moments) is allocated here, once.
 * `sgd` is the report's rule: W ← W − η·dW.
 *
 * `weightDecay` λ > 0 decays the parameters marked `decays` (the weights, not the biases):
 * - sgd and momentum, coupled (L2): the gradient becomes g + λ·W before the step (addWeightDecay);
 * - adam, decoupled (AdamW, Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization",
 *   Algorithm 2): W ← W − η·λ·W, then the Adam step, i.e. W_t = W_{t−1} − η·(m̂/(√v̂ + ε) + λ·W_{t−1}),
 *   so the decay is not divided by √v̂ as an L2 gradient would be. As in PyTorch's AdamW, η is the
 *   learning rate of the step, schedule included.
 */
export function createOptimizer(config: OptimizerConfig, kernels: Kernels, parameters: readonly Parameter[], weightDecay = 0): Optimizer {
  const coupled = (): void => {
    if (weightDecay > 0) addWeightDecay(kernels, parameters, weightDecay);
  };
  switch (config.type) {
    case 'sgd':
      return {
        step(learningRate) {
          coupled();
          for (const p of parameters) kernels.axpy(p.value.length, -learningRate, p.gradient, p.value);
        },
        exportState: () => stateOf(0, []),
        importState: (state) => restoreInto([], state),
      };
    case 'momentum': {
      const velocities = parameters.map((p) => kernels.alloc(p.value.length));
      return {
        step(learningRate) {
          coupled();
          parameters.forEach((p, i) =>
            kernels.momentumStep(p.value.length, p.value, p.gradient, velocities[i]!, learningRate, config.momentum, config.nesterov),
          );
        },
        exportState: () => stateOf(0, velocities),
        importState: (state) => restoreInto(velocities, state),
      };
    }
    case 'adam': {
      const first = parameters.map((p) => kernels.alloc(p.value.length));
      const second = parameters.map((p) => kernels.alloc(p.value.length));
      let t = 0;
      return {
        step(learningRate) {
          t++;
          if (weightDecay > 0) {
            for (const p of parameters) if (p.decays) kernels.axpy(p.value.length, -learningRate * weightDecay, p.value, p.value);
          }
          parameters.forEach((p, i) =>
            kernels.adamStep(p.value.length, p.value, p.gradient, first[i]!, second[i]!, learningRate, config.beta1, config.beta2, config.epsilon, t),
          );
        },
        exportState: () => stateOf(t, [...first, ...second]),
        importState(state) {
          restoreInto([...first, ...second], state);
          t = state.steps;
        },
      };
    }
  }
}
