import { InvalidArgumentError } from '@commander-js/extra-typings';
import { formatProblem, Unavailable, UserError, type Problem } from '../errors.ts';

/**
 * What every command shares: the exit codes, the `--set` and `--max-runs` options, and the one
 * place that prints problems.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

/** Commander's argument parser for a repeatable option: collects every value. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Commander's parser for --max-runs. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  return n;
}

/** Commander's parser for a number of seconds that may be 0 (--wait-for-redis). */
export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}"`);
  return n;
}

/** Prints problems to stderr as `FILE:LINE:COL: error: MESSAGE`, each with its source line and hint. */
export function printProblems(problems: readonly Problem[]): void {
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
}

/**
 * Runs a command's body: a UserError prints its problems and exits 2, an Unavailable exits 1; anything else is a bug and
 * prints its stack trace and exits 1. The body returns its own exit code.
 */
export async function runCommand(body: () => number | Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (error) {
    if (error instanceof UserError) {
      printProblems(error.problems);
      process.exitCode = EXIT_INVALID;
      return;
    }
    if (error instanceof Unavailable) {
      printProblems(error.problems);
      process.exitCode = EXIT_FAILURE;
      return;
    }
    if (isFileSystemError(error)) {
      // The machine's problem, not mlp-lab's: say which file and why, without a stack trace.
      process.stderr.write(`mlp-lab: error: ${error.message.split('\n')[0]}\n  hint: check that the results folder is writable and the disk has room\n`);
      process.exitCode = EXIT_FAILURE;
      return;
    }
    process.stderr.write(`mlp-lab: internal error (a bug; please report it):\n${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}

/** An error from a file-system call (`EACCES`, `ENOSPC`, `EISDIR`, ...), which names its path. */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string' && typeof e.path === 'string';
}
