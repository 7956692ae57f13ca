import type { OptimizerConfig } from './config.ts';
import type { Kernels } from './kernels/kernels.ts';

/** A parameter tensor and its gradient, the same length. */
export interface Parameter {
  readonly value: Float32Array;
  readonly gradient: Float32Array;
}

/** Applies one update to every parameter from its current gradient. */
export interface Optimizer {
  step(learningRate: number): void;
}

/**
 * The update rule for a set of parameters. State (velocities, moments) is allocated here, once.
 * `sgd` is the report's rule: W ← W − η·dW.
 */
export function createOptimizer(config: OptimizerConfig, kernels: Kernels, parameters: readonly Parameter[]): Optimizer {
  switch (config.type) {
    case 'sgd':
      return {
        step(learningRate) {
          for (const p of parameters) kernels.axpy(p.value.length, -learningRate, p.gradient, p.value);
        },
      };
    case 'momentum': {
      const velocities = parameters.map((p) => kernels.alloc(p.value.length));
      return {
        step(learningRate) {
          parameters.forEach((p, i) =>
            kernels.momentumStep(p.value.length, p.value, p.gradient, velocities[i]!, learningRate, config.momentum, config.nesterov),
          );
        },
      };
    }
    case 'adam': {
      const first = parameters.map((p) => kernels.alloc(p.value.length));
      const second = parameters.map((p) => kernels.alloc(p.value.length));
      let t = 0;
      return {
        step(learningRate) {
          t++;
          parameters.forEach((p, i) =>
            kernels.adamStep(
              p.value.length, p.value, p.gradient, first[i]!, second[i]!,
              learningRate, config.beta1, config.beta2, config.epsilon, t,
            ),
          );
        },
      };
    }
  }
}
