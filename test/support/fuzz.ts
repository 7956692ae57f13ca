import { formatProblem, UserError, type Problem } from '../../src/errors.ts';
import { loadExperiment } from '../../src/experiment/index.ts';

/**
 * The validation boundary, in-process: what `mlp-lab validate FILE` does between reading its
 * arguments and printing (src/cli/validate.ts), minus the process. A UserError is the expected
 * outcome for bad input; anything else thrown would be a stack trace at the CLI.
 */
export function validateAtBoundary(file: string, sets: readonly string[] = []): { ok: true } | { ok: false; problems: readonly Problem[] } {
  try {
    loadExperiment(file, { sets });
    return { ok: true };
  } catch (error) {
    if (error instanceof UserError) return { ok: false, problems: error.problems };
    throw error;
  }
}

/** `FILE:LINE:COL: error: MESSAGE`, or for a command-line problem `--set: error: MESSAGE`. */
export const LOCATED = /^(.+?):(\d+):(\d+): (error|warning): \S/;
export const UNLOCATED = /^(--set|--only|--out|--jobs): (error|warning): \S/;

/** Checks what the CLI would print for these problems: each one located, and no stack trace. */
export function checkPrinted(problems: readonly Problem[], file: string): string | null {
  if (!problems.some((p) => p.severity === 'error')) return 'invalid without an error';
  for (const p of problems) {
    const printed = formatProblem(p);
    const first = printed.split('\n')[0]!;
    if (/\n\s+at /.test(printed)) return `a stack trace in: ${printed}`;
    if (p.file === file && !LOCATED.test(first)) {
      // A file that cannot be read at all (missing, too large) has no line; everything read has one.
      if (!['file-too-large', 'not-a-file', 'file-not-found', 'unreadable'].includes(p.code)) return `no FILE:LINE:COL in: ${first}`;
    } else if (p.file !== file && !UNLOCATED.test(first) && !LOCATED.test(first)) {
      return `unexpected problem line: ${first}`;
    }
    if (printed.split('\n').some((line) => line.length > 400)) return `an excerpt line of ${Math.max(...printed.split('\n').map((l) => l.length))} characters`;
  }
  return null;
}

/** Fixed by default so that a failure reproduces; FUZZ_SEED=... explores other cases. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261127);

/** Cases tried, by suite, printed at the end so the closing note can quote them. */
export const tried = new Map<string, number>();
export function count(suite: string): void {
  tried.set(suite, (tried.get(suite) ?? 0) + 1);
}

/**
 * fast-check's options for one property: a fixed seed, a number of cases, and a time budget after
 * which it stops early without failing, so that the fuzz suite stays within a minute on a loaded
 * machine (the budgets of all properties add up to under 60 s; the cases actually tried are
 * counted and printed). FUZZ_RUNS raises the number of cases; the budgets still apply.
 */
export function fuzzOptions(
  numRuns: number,
  budgetMs: number,
): { numRuns: number; seed: number; interruptAfterTimeLimit: number; markInterruptAsFailure: false } {
  return { numRuns, seed: FUZZ_SEED, interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false };
}
