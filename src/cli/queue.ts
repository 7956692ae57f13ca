import type { Command } from '@commander-js/extra-typings';
import { checkReachable, parseQueueUrl } from '../queue/connection.ts';
import { cancelRuns, clearDone, retryFailed } from '../queue/manage.ts';
import { formatStatus, readStatus } from '../queue/status.ts';
import { EXIT_OK, positiveInteger, runCommand } from './common.ts';

/** `mlp-lab queue --queue URL`: what is waiting, running (where), failed and done; and cancelling, retrying and clearing jobs. */
export function registerQueue(program: Command): void {
  program
    .command('queue')
    .description('show the runs in a queue: waiting, running (on which worker), failed and done; cancel, retry or clear them')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT, or rediss://USER:PASSWORD@HOST:PORT for TLS')
    .option('--limit <n>', 'jobs listed per kind', positiveInteger, 20)
    .option('--cancel [runs...]', "take these waiting runs (run ids; RUN@EPOCH for a pruned search's rung), or every waiting run, out of the queue")
    .option('--retry-failed', 'put every failed run back in the queue')
    .option('--clear-done', 'remove the finished runs and their results from Redis')
    .option('--json', 'print the status (or what was changed) as JSON')
    .addHelpText(
      'after',
      [
        '',
        'A cancelled run is recorded as failed ("cancelled") by the `run --queue` waiting for it; running',
        'runs are not cancelled (stop their worker, or the `run` that queued them). --clear-done also',
        'drops results that no `run --queue` has collected yet: run it again first to collect them.',
        'These change the queue for everyone on it: anyone who can reach Redis can (docs/scaling-out.md).',
        '',
        'Examples:',
        '  $ mlp-lab queue --queue redis://10.0.0.5:6379',
        '  $ mlp-lab queue --queue redis://10.0.0.5:6379 --json',
        '  $ mlp-lab queue --queue redis://10.0.0.5:6379 --cancel 5cdefada24cb 21cf46caaff7',
        '  $ mlp-lab queue --queue redis://10.0.0.5:6379 --retry-failed',
      ].join('\n'),
    )
    .action((options) =>
      runCommand(async () => {
        const connection = parseQueueUrl(options.queue);
        await checkReachable(connection);
        const changes: Record<string, unknown> = {};
        const say = (line: string) => {
          if (!options.json) process.stdout.write(`${line}\n`);
        };
        if (options.cancel !== undefined) {
          const outcome = await cancelRuns(connection, options.cancel === true ? [] : options.cancel);
          changes.cancel = outcome;
          say(
            `cancelled ${outcome.cancelled.length} waiting run${outcome.cancelled.length === 1 ? '' : 's'}${outcome.cancelled.length ? `: ${outcome.cancelled.join(', ')}` : ''}`,
          );
          for (const r of outcome.running) say(`not cancelled ${r.runId}: running on ${r.worker ?? 'a worker'} (stop that worker, or the run that queued it)`);
          if (outcome.notWaiting.length) say(`not waiting in the queue: ${outcome.notWaiting.join(', ')}`);
        }
        if (options.retryFailed) {
          const retried = await retryFailed(connection);
          changes.retried = retried;
          say(`queued again ${retried.length} failed run${retried.length === 1 ? '' : 's'}${retried.length ? `: ${retried.join(', ')}` : ''}`);
        }
        if (options.clearDone) {
          const cleared = await clearDone(connection);
          changes.cleared = cleared;
          say(`cleared ${cleared} finished run${cleared === 1 ? '' : 's'}`);
        }
        const status = await readStatus(connection, options.limit);
        if (options.json) process.stdout.write(`${JSON.stringify(Object.keys(changes).length ? { ...changes, status } : status, null, 2)}\n`);
        else process.stdout.write(`${Object.keys(changes).length ? '\n' : ''}${formatStatus(status, connection.display)}\n`);
        return EXIT_OK;
      }),
    );
}
