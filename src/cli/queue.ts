import type { Command } from '@commander-js/extra-typings';
import { checkReachable, parseQueueUrl } from '../queue/connection.ts';
import { formatStatus, readStatus } from '../queue/status.ts';
import { EXIT_OK, positiveInteger, runCommand } from './common.ts';

/** `mlp-lab queue --queue URL`: what is waiting, running (where), failed and done. */
export function registerQueue(program: Command): void {
  program
    .command('queue')
    .description('show the runs in a queue: waiting, running (on which worker), failed and done')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT, or rediss://USER:PASSWORD@HOST:PORT for TLS')
    .option('--limit <n>', 'jobs listed per kind', positiveInteger, 20)
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExamples:\n  $ mlp-lab queue --queue redis://10.0.0.5:6379\n  $ mlp-lab queue --queue redis://10.0.0.5:6379 --json')
    .action((options) => runCommand(async () => {
      const connection = parseQueueUrl(options.queue);
      await checkReachable(connection);
      const status = await readStatus(connection, options.limit);
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status, connection.display)}\n`);
      return EXIT_OK;
    }));
}
