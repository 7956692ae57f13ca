import { createRequire } from 'node:module';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { EXIT_INVALID } from './common.ts';

/**
 * The `mlp-lab` program. Each command lives in its own file and is listed once in COMMANDS below.
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid input (bad files, bad options).
 */
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

type Register = (program: Command) => void;

/**
 * Every command, loaded on demand: a command's module pulls in what it needs (the schema
 * validator, the worker pool, ...), so `mlp-lab run` loads only `run`'s dependencies and
 * `mlp-lab --version` none of them. Listing order is the order of `--help`.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./validate.ts')).registerValidate,
  plan: async () => (await import('./plan.ts')).registerPlan,
  ls: async () => (await import('./ls.ts')).registerLs,
  run: async () => (await import('./run.ts')).registerRun,
  report: async () => (await import('./report.ts')).registerReport,
  compare: async () => (await import('./compare.ts')).registerCompare,
  best: async () => (await import('./best.ts')).registerBest,
  diff: async () => (await import('./diff.ts')).registerDiff,
  prune: async () => (await import('./prune.ts')).registerPrune,
  schema: async () => (await import('./schema.ts')).registerSchema,
  worker: async () => (await import('./worker.ts')).registerWorker,
  queue: async () => (await import('./queue.ts')).registerQueue,
};

/** The program with the commands that `args` (process.argv) can reach registered. */
export async function buildProgram(args: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('mlp-lab')
    .version(version)
    .description('Reproducible neural-network experiments from committed YAML files')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const first = args.slice(2).find((arg) => !arg.startsWith('-'));
  const versionOnly = first === undefined && args.slice(2).some((arg) => arg === '--version' || arg === '-V');
  // A known command needs only itself; anything else (help, a typo to suggest a command for) all.
  const names = first !== undefined && first in COMMANDS ? [first] : versionOnly ? [] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]!()))) register(program);
  program.addHelpText(
    'after',
    '\nExamples:\n  $ mlp-lab validate experiments/*.yaml\n  $ mlp-lab plan experiments/report.yaml\n  $ mlp-lab run experiments/report.yaml\n  $ mlp-lab plan experiments/relu-vs-sigmoid.yaml --set epochs=1 --json',
  );
  return program;
}

// `mlp-lab plan ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await (await buildProgram()).parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Commander has printed its message; usage errors are invalid input.
  process.exitCode = error.exitCode === 0 ? 0 : EXIT_INVALID;
}
