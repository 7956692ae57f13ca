import { Queue, type Job } from 'bullmq';
import { QUEUE_NAME, QUEUE_PREFIX, type QueueConnection } from './connection.ts';

/** One job as `mlp-lab queue` shows it. Job data is whatever is in Redis: every field is checked. */
export interface JobLine {
  runId: string;
  label: string;
  /** The worker that has it or had it (its --name). */
  worker: string | null;
  /** `epoch 3/10, 45%` for a running job; the failure for a failed one; null otherwise. */
  detail: string | null;
}

export interface QueueStatus {
  counts: { waiting: number; active: number; failed: number; completed: number };
  /** Connected workers by name, with their address. */
  workers: { name: string; address: string }[];
  active: JobLine[];
  waiting: JobLine[];
  failed: JobLine[];
  completed: JobLine[];
}

/** The queue's state: counts, workers, and up to `limit` jobs of each kind (the most recent finished ones). */
export async function readStatus(connection: QueueConnection, limit: number): Promise<QueueStatus> {
  const queue = new Queue(QUEUE_NAME, { connection: connection.redis, prefix: QUEUE_PREFIX });
  try {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed');
    const clients = await queue.getWorkers();
    const workers = new Map<string, string>();
    for (const client of clients) {
      const raw = String(client.rawname ?? '');
      const name = raw.includes(':w:') ? raw.slice(raw.indexOf(':w:') + 3) : '(unnamed)';
      if (!workers.has(name)) workers.set(name, String(client.addr ?? '?'));
    }
    const lines = async (
      types: ('waiting' | 'prioritized' | 'delayed' | 'active' | 'failed' | 'completed')[],
      detail: (job: Job) => string | null,
      asc: boolean,
    ) =>
      (await queue.getJobs(types, 0, limit - 1, asc))
        .filter((job): job is Job => Boolean(job))
        .map((job) => ({
          runId: String(job.id),
          label: typeof job.data?.label === 'string' ? job.data.label : '(not an mlp-lab run)',
          worker: job.processedBy ?? null,
          detail: detail(job),
        }));
    return {
      counts: {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        active: counts.active ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      },
      workers: [...workers].map(([name, address]) => ({ name, address })).sort((a, b) => a.name.localeCompare(b.name)),
      active: await lines(['active'], (job) => describeProgress(job.progress), true),
      waiting: await lines(['waiting', 'prioritized', 'delayed'], () => null, true),
      failed: await lines(['failed'], (job) => job.failedReason || null, false),
      completed: await lines(['completed'], () => null, false),
    };
  } finally {
    await queue.close();
  }
}

function describeProgress(progress: unknown): string | null {
  const p = progress as { epoch?: unknown; epochs?: unknown; iteration?: unknown; iterations?: unknown } | null;
  if (!p || typeof p !== 'object' || typeof p.iteration !== 'number' || typeof p.iterations !== 'number' || p.iterations <= 0) return null;
  return `epoch ${String(p.epoch)}/${String(p.epochs)}, ${Math.floor((100 * p.iteration) / p.iterations)}%`;
}

/** The status as text: counts, workers, then a table per non-empty kind. */
export function formatStatus(status: QueueStatus, display: string): string {
  const c = status.counts;
  const out = [`${display}: ${c.waiting} waiting, ${c.active} running, ${c.failed} failed, ${c.completed} done`];
  out.push(status.workers.length ? `workers: ${status.workers.map((w) => `${w.name} (${w.address})`).join(', ')}` : 'workers: none connected');
  const section = (title: string, jobs: JobLine[], total: number, columns: (job: JobLine) => string[]) => {
    if (jobs.length === 0) return;
    out.push('', `${title}${total > jobs.length ? ` (${jobs.length} of ${total})` : ''}:`);
    for (const job of jobs) out.push(`  ${[job.runId, ...columns(job)].filter(Boolean).join('  ')}`);
  };
  section('running', status.active, c.active, (j) => [j.label, j.worker ? `on ${j.worker}` : '', j.detail ?? '']);
  section('waiting', status.waiting, c.waiting, (j) => [j.label]);
  section('failed', status.failed, c.failed, (j) => [j.label, j.worker ? `on ${j.worker}` : '', `— ${j.detail ?? 'failed'}`]);
  section('done (latest)', status.completed, c.completed, (j) => [j.label, j.worker ? `by ${j.worker}` : '']);
  return out.join('\n');
}
