import { createRequire } from 'node:module';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { EXIT_INVALID } from './common.ts';
import { registerCompare } from './compare.ts';
import { registerPlan } from './plan.ts';
import { registerReport } from './report.ts';
import { registerRun } from './run.ts';
import { registerSchema } from './schema.ts';
import { registerValidate } from './validate.ts';

/**
 * The `mlp-lab` program. Each command lives in its own file and registers itself with one line
 * below. Exit codes: 0 ok, 1 runtime failure, 2 invalid input (bad files, bad options).
 */
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('mlp-lab')
    .version(version)
    .description('Reproducible neural-network experiments from committed YAML files')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerValidate(program);
  registerPlan(program);
  registerRun(program);
  registerReport(program);
  registerCompare(program);
  registerSchema(program);
  program.addHelpText('after', '\nExamples:\n  $ mlp-lab validate experiments/*.yaml\n  $ mlp-lab plan experiments/report.yaml\n  $ mlp-lab run experiments/report.yaml\n  $ mlp-lab plan experiments/relu-vs-sigmoid.yaml --set epochs=1 --json');
  return program;
}

// `mlp-lab plan ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Commander has printed its message; usage errors are invalid input.
  process.exitCode = error.exitCode === 0 ? 0 : EXIT_INVALID;
}
