import type { Kernels } from './kernels/kernels.ts';
import type { Network } from './network.ts';
import type { Rng } from './rng.ts';

/**
 * Inverted dropout's masks for one run: for each hidden layer with a rate p > 0, a buffer of up to
 * maxRows × units holding, per element, 0 (dropped, with probability p) or 1/(1 − p) (kept), so that
 * the expected value of a unit's output is unchanged and evaluation needs no rescaling. The output
 * layer never has one. Network.forward multiplies a layer's output by its mask, and the backward
 * pass the gradient by the same mask.
 *
 * The masks come from their own stream (a fork of the run's generator, whose state a snapshot
 * holds): a run without dropout draws nothing from it, so its random sequence is what it was
 * before dropout existed. The kernels draw them (Kernels.bernoulliMask: the same xoroshiro128+
 * steps as Rng, in integer arithmetic, so every backend draws the same masks), one draw per unit
 * of each example, the keep probability 1 − p to 2⁻³¹.
 */
export class DropoutMasks {
  /** One per weight layer; null where nothing is dropped (the output layer, and layers of rate 0). */
  readonly masks: (Float32Array | null)[];
  /** Per layer, a draw whose top 31 bits are below this keeps a unit: round((1 − p)·2³¹). */
  private readonly thresholds: number[];
  private readonly scales: number[];
  private readonly units: number[];

  /** The generator's four state words, on the kernels' memory, where bernoulliMask advances them. */
  private readonly state: Int32Array;

  constructor(
    private readonly kernels: Kernels,
    network: Network,
    rates: readonly number[],
    rng: Rng,
  ) {
    const hidden = network.layers.length - 1;
    if (rates.length !== hidden) throw new RangeError(`${rates.length} dropout rates for ${hidden} hidden layers`);
    if (rates.some((p) => !(p >= 0 && p < 1))) throw new RangeError(`dropout rates must be in [0, 1), got [${rates.join(', ')}]`);
    this.masks = network.layers.map((layer, l) => (l < hidden && rates[l]! > 0 ? kernels.alloc(network.maxRows * layer.nOut) : null));
    this.thresholds = network.layers.map((_, l) => (l < hidden ? Math.round((1 - rates[l]!) * 2 ** 31) : 2 ** 31));
    this.scales = network.layers.map((_, l) => (l < hidden ? 1 / (1 - rates[l]!) : 1));
    this.units = network.layers.map((layer) => layer.nOut);
    const words = kernels.alloc(4);
    this.state = new Int32Array(words.buffer, words.byteOffset, 4);
    this.state.set(rng.state());
  }

  /** The generator's state, as Rng.state() gives it (Rng.fromState continues it). */
  rngState(): number[] {
    return Array.from(this.state);
  }

  /** Draws fresh masks for a batch of `rows` rows, layer after layer, row-major within a layer. */
  draw(rows: number): readonly (Float32Array | null)[] {
    const { masks } = this;
    for (let l = 0; l < masks.length; l++) {
      const mask = masks[l];
      if (mask) this.kernels.bernoulliMask(rows * this.units[l]!, this.state, this.thresholds[l]!, this.scales[l]!, mask);
    }
    return masks;
  }
}
