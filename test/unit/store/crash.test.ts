/**
 * The store's atomicity under a crash at every point of writing a run record: between its files
 * and within one (half of a file's bytes written). The crash is simulated in-process: from the
 * chosen file-system operation on, every operation fails, as if the process had died there (no
 * cleanup runs). Then the store is recovered as the next `run` does, and the run must read as its
 * old record or its new one, whole, never a mixture or a part.
 */
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const crash = { after: Infinity, ops: 0, dead: false };
const MUTATING = ['mkdirSync', 'openSync', 'writeFileSync', 'fsyncSync', 'fsync', 'closeSync', 'renameSync', 'rmSync', 'rm'] as const;

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const wrapped = Object.fromEntries(
    MUTATING.map((name) => [
      name,
      (...args: unknown[]) => {
        if (crash.dead) throw new Error('the process is dead');
        if (++crash.ops > crash.after) {
          crash.dead = true;
          // Dying in the middle of writing a file: half of its bytes reach the disk.
          if (name === 'writeFileSync' && typeof args[0] === 'number') {
            const data = typeof args[1] === 'string' ? Buffer.from(args[1]) : (args[1] as Uint8Array);
            fs.writeFileSync(args[0], data.subarray(0, data.length >> 1));
          }
          throw new Error(`killed at ${name}`);
        }
        return (fs[name] as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  );
  return { ...fs, ...wrapped, default: { ...fs, ...wrapped } };
});

// The simulated death happens in this process: its temporaries must count as a dead writer's.
vi.mock('../../../src/store/processes.ts', () => ({ processExists: (pid: number) => pid !== process.pid }));

const fs = await vi.importActual<typeof import('node:fs')>('node:fs');
const { readRunState, recoverRunFolders, writeRunRecord } = await import('../../../src/store/run-record.ts');
const { writeFileAtomic } = await import('../../../src/store/atomic.ts');
const { recoverExperimentFolder } = await import('../../../src/store/recover.ts');
const { decodeSafetensors } = await import('../../../src/store/safetensors.ts');

const root = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'mlp-lab-crash-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A record whose every file says which one it is, so that a mixture would show. */
function record(which: 'old' | 'new') {
  const value = which === 'old' ? 1 : 2;
  return {
    config: { which },
    history: [
      {
        iteration: value,
        epoch: 1,
        trainCost: value,
        trainAccuracy: value,
        testCost: value,
        testAccuracy: value,
        validationCost: null,
        validationAccuracy: null,
        learningRate: value,
        seconds: value,
      },
    ],
    weights: [
      { name: 'W1', shape: [2, 2], data: new Float32Array(4).fill(value) },
      { name: 'b1', shape: [2], data: new Float32Array(2).fill(value) },
    ],
    weightsMetadata: { which },
    metrics: {
      run_id: 'r',
      label: which,
      status: 'completed' as const,
      message: null,
      train_cost: value,
      train_accuracy: value,
      test_cost: value,
      test_accuracy: value,
      validation_cost: null,
      validation_accuracy: null,
      iterations: value,
      seconds: value,
      seed: 0,
      backend: 'js',
      mlp_lab_version: '0',
      node_version: 'v20',
      experiment_commit: null,
      finished_at: which,
    },
  };
}

/** Which whole record the folder holds (`old`, `new`), `none`, or what is wrong with it. */
function readBack(dir: string): string {
  const state = readRunState(dir);
  if (state === null) return 'none';
  if (!('metrics' in state)) return `failure: ${state.failure.message}`;
  const which = state.metrics.label;
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { which: string };
  const history = fs.readFileSync(path.join(dir, 'history.csv'), 'utf8');
  const weights = decodeSafetensors(fs.readFileSync(path.join(dir, 'weights.safetensors')));
  const value = which === 'old' ? 1 : 2;
  const whole =
    config.which === which &&
    history.trim().split('\n')[1]!.startsWith(`${value},1,${value}`) &&
    weights.metadata.which === which &&
    weights.tensors.every((t) => t.data.every((x) => x === value));
  return whole ? which : `a mixture under ${which}`;
}

async function attempt(dir: string, after: number): Promise<void> {
  Object.assign(crash, { after, ops: 0, dead: false });
  try {
    await writeRunRecord(dir, record('new'));
  } catch {
    // the simulated death
  }
  Object.assign(crash, { after: Infinity, ops: 0, dead: false });
  recoverRunFolders(path.dirname(dir)); // what the next `run` does first, under its lock
}

// The number of file-system operations of one whole write, to crash at each of them.
const probe = path.join(root, 'probe', 'runs', 'r');
Object.assign(crash, { after: Infinity, ops: 0, dead: false });
await writeRunRecord(probe, record('new'));
const OPERATIONS = crash.ops;
const points = Array.from({ length: OPERATIONS }, (_, k) => k);

describe('a run record written while the process dies', () => {
  it('takes a dozen file-system operations, each a crash point', () => {
    expect(OPERATIONS).toBeGreaterThanOrEqual(12);
  });

  it.each(points)('for a new run, dying after %i operations leaves no record or the whole new one', async (k) => {
    const dir = path.join(root, `fresh-${k}`, 'runs', 'r');
    await attempt(dir, k);
    expect(['none', 'new']).toContain(readBack(dir));
    // Nothing half-made is left beside it.
    if (fs.existsSync(path.dirname(dir))) expect(fs.readdirSync(path.dirname(dir)).filter((e) => e !== 'r')).toEqual([]);
  });

  it.each(points)('over a finished run (--force), dying after %i operations leaves the whole old or the whole new record', async (k) => {
    const dir = path.join(root, `forced-${k}`, 'runs', 'r');
    await writeRunRecord(dir, record('old'));
    await attempt(dir, k);
    expect(['old', 'new']).toContain(readBack(dir));
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['r']);
  });

  it('without a crash, writes the new record whole', () => {
    expect(readBack(probe)).toBe('new');
  });
});

// The other files of an experiment folder are written by writeFileAtomic alone, in place.
const ATOMIC_PLACES = [
  ['a results table', 'results.csv'],
  ['a checkpoint', 'checkpoints/r.ckpt'],
  ['a failure record', 'runs/r/error.json'],
] as const;
const probeFile = path.join(root, 'probe-atomic', 'x');
Object.assign(crash, { after: Infinity, ops: 0, dead: false });
writeFileAtomic(probeFile, 'new');
const ATOMIC_POINTS = Array.from({ length: crash.ops }, (_, k) => k);

describe.each(ATOMIC_PLACES)('%s written while the process dies', (_, relative) => {
  it.each(ATOMIC_POINTS)('after %i operations leaves the old or the new content, and no temporary once recovered', (k) => {
    const out = path.join(root, `atomic-${k}`);
    const file = path.join(out, 'e', relative);
    writeFileAtomic(file, 'old');
    Object.assign(crash, { after: k, ops: 0, dead: false });
    try {
      writeFileAtomic(file, 'new');
    } catch {
      // the simulated death
    }
    Object.assign(crash, { after: Infinity, ops: 0, dead: false });
    recoverExperimentFolder(out, 'e'); // what the next `run` does first, under its lock
    expect(['old', 'new']).toContain(fs.readFileSync(file, 'utf8'));
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });
});
