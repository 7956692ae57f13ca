import type { ExperimentFile, ParameterName } from './schema.ts';
import type { Finding, Settings } from './settings.ts';

/**
 * Stage 3a: the grid as axes. A plain grid key is an axis of its values; a zip group is one axis
 * whose points set several parameters together; `seeds` is the innermost axis. The runs are the
 * cartesian product of the axes, first axis outermost.
 */
export interface Axis {
  names: ParameterName[];
  points: Settings[];
}

export interface Override {
  /** A parameter, or `seeds` / `repeats`. */
  key: ParameterName | 'seeds' | 'repeats';
  value: unknown;
}

/** The axes of an experiment's grid and seeds, and the problems in how they are written. */
export function gridAxes(experiment: ExperimentFile, overrides: readonly Override[]): { axes: Axis[]; repeats: number; findings: Finding[] } {
  const findings: Finding[] = [];
  const axes: Axis[] = [];
  const owner = new Map<ParameterName, string>();
  const grid = (experiment.grid ?? {}) as Record<string, unknown>;
  const claim = (name: ParameterName, where: string, path: (string | number)[]): boolean => {
    const previous = owner.get(name);
    if (previous) {
      findings.push({
        code: 'grid-conflict',
        severity: 'error',
        origin: { kind: 'file', path },
        key: true,
        message: `\`${name}\` varies twice: in ${previous} and in ${where}`,
        hint: 'each parameter may vary in one place',
      });
      return false;
    }
    owner.set(name, where);
    return true;
  };

  for (const [key, values] of Object.entries(grid)) {
    if (key === 'zip' || key === 'exclude') continue;
    const name = key as ParameterName;
    if (!claim(name, 'the grid', ['grid', key])) continue;
    axes.push({
      names: [name],
      points: (values as unknown[]).map((value, i) => new Map([[name, { value, origin: { kind: 'file', path: ['grid', key, i] } }]])),
    });
  }
  ((grid.zip ?? []) as Record<string, unknown[]>[]).forEach((group, g) => {
    const entries = Object.entries(group) as [ParameterName, unknown[]][];
    const [firstName, firstValues] = entries[0]!;
    const uneven = entries.find(([, values]) => values.length !== firstValues.length);
    if (uneven) {
      findings.push({
        code: 'zip-length',
        severity: 'error',
        origin: { kind: 'file', path: ['grid', 'zip', g, uneven[0]] },
        message: `zipped lists must have the same length: ${firstName} has ${firstValues.length} values, ${uneven[0]} has ${uneven[1].length}`,
      });
      return;
    }
    if (!entries.every(([name]) => claim(name, `zip group ${g + 1}`, ['grid', 'zip', g, name]))) return;
    const tuples = firstValues.map((_, i) => JSON.stringify(entries.map(([, values]) => values[i])));
    const repeated = tuples.findIndex((t, i) => tuples.indexOf(t) !== i);
    if (repeated >= 0) {
      findings.push({
        code: 'duplicate-value',
        severity: 'error',
        origin: { kind: 'file', path: ['grid', 'zip', g, firstName, repeated] },
        message: `zip group ${g + 1} lists the combination ${entries.map(([name, values]) => `${name}=${JSON.stringify(values[repeated])}`).join(', ')} twice (positions ${tuples.indexOf(tuples[repeated]!) + 1} and ${repeated + 1})`,
      });
      return;
    }
    axes.push({
      names: entries.map(([name]) => name),
      points: firstValues.map(
        (_, i) => new Map(entries.map(([name, values]) => [name, { value: values[i], origin: { kind: 'file' as const, path: ['grid', 'zip', g, name, i] } }])),
      ),
    });
  });
  if (owner.has('activation') && owner.has('activations')) {
    findings.push({
      code: 'conflicting-keys',
      severity: 'error',
      origin: { kind: 'file', path: ['grid'] },
      key: true,
      message: 'the grid varies both `activation` and `activations`; vary one of them',
    });
  }

  const setSeeds = overrides.find((o) => o.key === 'seeds');
  const setRepeats = overrides.find((o) => o.key === 'repeats');
  const seeds = (setSeeds?.value ?? experiment.seeds ?? []) as number[];
  const repeats = (setRepeats?.value ?? (setSeeds ? 1 : (experiment.repeats ?? 1))) as number;
  if (seeds.length > 0) {
    const origin = (i: number) => (setSeeds ? { kind: 'set' as const, key: 'seeds' } : { kind: 'file' as const, path: ['seeds', i] });
    if (owner.has('seed')) {
      findings.push({
        code: 'grid-conflict',
        severity: 'error',
        origin: setSeeds ? { kind: 'set', key: 'seeds' } : { kind: 'file', path: ['seeds'] },
        key: true,
        message: 'seeds are listed twice: in `seeds` and in `grid.seed`',
        hint: 'keep one of them',
      });
    } else if (repeats > 1) {
      findings.push({
        code: 'conflicting-keys',
        severity: 'error',
        origin: setRepeats ? { kind: 'set', key: 'repeats' } : { kind: 'file', path: ['repeats'] },
        key: true,
        message: 'give either `seeds` or `repeats`, not both',
        hint: '`seeds: [1, 2, 3]` is the same as `repeats: 3` with `seed: 1`',
      });
    } else {
      axes.push({ names: ['seed'], points: seeds.map((value, i) => new Map([['seed', { value, origin: origin(i) }]])) });
    }
  } else if (repeats > 1 && owner.has('seed')) {
    findings.push({
      code: 'conflicting-keys',
      severity: 'error',
      origin: { kind: 'file', path: ['repeats'] },
      key: true,
      message: 'give either `repeats` or seeds in the grid, not both',
    });
  }
  return { axes, repeats, findings };
}

/** Every combination of one point per axis, first axis outermost. */
export function* combinations(axes: readonly Axis[]): Generator<Settings[]> {
  const index = axes.map(() => 0);
  if (axes.some((a) => a.points.length === 0)) return;
  while (true) {
    yield axes.map((axis, i) => axis.points[index[i]!]!);
    let i = axes.length - 1;
    while (i >= 0 && ++index[i]! === axes[i]!.points.length) index[i--] = 0;
    if (i < 0) return;
  }
}
