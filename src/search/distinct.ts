import type { Rng } from '../core/rng.ts';
import { configurationKey, configurationNumbered, spaceSize, type Configuration, type Space } from './space.ts';

/** Draws a sampler makes for a configuration not yet proposed before it takes one by enumeration. */
export const DRAWS_BEFORE_ENUMERATION = 64;

/**
 * A configuration whose key is not in `taken`: the first of up to DRAWS_BEFORE_ENUMERATION draws
 * that is new, else (a small discrete space nearly used up) the first new one in enumeration
 * order from a random start. Never loops: the enumeration meets a new configuration within
 * taken.size + 1 steps. Throws RangeError when the space has none left (callers cap `trials` at
 * spaceSize first) and Error for a continuous space where 64 draws repeated (a bug, not bad luck:
 * continuous values keep ten digits).
 */
export function freshConfiguration(space: Space, draw: () => Configuration, taken: ReadonlySet<string>, rng: Rng): Configuration {
  const size = spaceSize(space);
  if (taken.size >= size) throw new RangeError(`the space has ${size} configurations and all are taken`);
  for (let attempt = 0; attempt < DRAWS_BEFORE_ENUMERATION; attempt++) {
    const configuration = draw();
    if (!taken.has(configurationKey(configuration))) return configuration;
  }
  if (!Number.isFinite(size)) throw new Error(`${DRAWS_BEFORE_ENUMERATION} draws from a continuous space repeated earlier configurations`);
  const start = Math.floor(rng.uniform() * size);
  for (let step = 0; step < size; step++) {
    const configuration = configurationNumbered(space, (start + step) % size);
    if (!taken.has(configurationKey(configuration))) return configuration;
  }
  throw new Error('unreachable: a configuration was free');
}
