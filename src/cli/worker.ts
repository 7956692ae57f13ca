import { availableParallelism, hostname } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import { parseQueueUrl, waitUntilReachable } from '../queue/connection.ts';
import { startWorker } from '../queue/worker.ts';
import { EXIT_OK, nonNegativeInteger, positiveInteger, runCommand } from './common.ts';

/** `mlp-lab worker --queue URL`: trains runs taken from the queue until stopped. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('train runs from a queue (Redis): the other side of `mlp-lab run --queue`')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT, or rediss://USER:PASSWORD@HOST:PORT for TLS')
    .option('-j, --jobs <n>', 'runs trained at once, each in its own process', positiveInteger, availableParallelism())
    .option('--name <name>', "this worker's name, shown by `mlp-lab queue`", `${hostname()}-${process.pid}`)
    .option('--data <dir>', 'where this worker finds the data files of `source: idx`, `csv` and `npy` runs (by file name)', '.')
    .option('--lock-seconds <s>', 'a worker silent this long is taken for dead and its runs go to another worker', positiveInteger, 30)
    .option('--wait-for-redis <s>', 'when Redis is not up yet, try again every 2 s for this long before giving up (0: do not wait)', nonNegativeInteger, 60)
    .addHelpText(
      'after',
      [
        '',
        "Runs use this machine's bundled MNIST (or the IDX files in --data, checked by sha256) and its",
        'fastest kernels. Results (metrics, history, weights) go back through Redis to the `run` that',
        'queued them, which writes them into its results store.',
        'Checkpoints of the runs in flight go to Redis: a run whose worker dies continues on another.',
        'SIGTERM: take no more runs, finish the ones in flight, then exit (a second SIGTERM makes them',
        'checkpoint and stop, and puts them back in the queue). Ctrl-C: the same at once.',
        'Without a password in the URL, MLP_LAB_QUEUE_PASSWORD gives it (a URL shows in the process list).',
        'Anyone who can reach the Redis server can queue runs: see docs/scaling-out.md (the trust model).',
        '',
        'Examples:',
        '  $ mlp-lab worker --queue redis://10.0.0.5:6379',
        '  $ mlp-lab worker --queue rediss://mlp:secret@queue.example.org:6380 --jobs 4',
        '  $ mlp-lab worker --queue redis://10.0.0.5:6379 --wait-for-redis 300   # started before Redis',
      ].join('\n'),
    )
    .action((options) =>
      runCommand(async () => {
        const connection = parseQueueUrl(options.queue);
        const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
        let waited = false;
        await waitUntilReachable(connection, options.waitForRedis, (reason) => {
          if (!waited) log(`${reason}; trying again every 2 s for up to ${options.waitForRedis} s (--wait-for-redis)`);
          waited = true;
        });
        const worker = await startWorker({
          connection,
          jobs: options.jobs,
          name: options.name,
          dataDir: options.data,
          lockSeconds: options.lockSeconds,
          log,
        });
        log(`worker ${options.name}: ${options.jobs} slot${options.jobs === 1 ? '' : 's'} on ${connection.display}`);
        await new Promise<void>((resolve, reject) => {
          let finishing = false;
          const handBack = () => {
            log('the runs in flight checkpoint and stop, and go back to the queue…');
            worker.handBackAndStop().then(resolve, reject);
          };
          process.on('SIGINT', handBack);
          process.on('SIGTERM', () => {
            if (finishing) return handBack();
            finishing = true;
            log('finishing the runs in flight, then stopping (SIGTERM again to put them back in the queue now)');
            worker.finishAndStop().then(resolve, reject);
          });
        });
        log('stopped');
        return EXIT_OK;
      }),
    );
}
