/**
 * Waiting for something the processes under test do (a line printed, a file written, a job
 * queued), never for a length of time. Every wait has a deadline, after which it fails with the
 * output of the processes involved, so that a hang reads as what they printed, not as a timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliProcess } from './cli.ts';

export interface UntilOptions {
  /** What is awaited, for the message: "a checkpoint of rel/slow". */
  describe: string;
  /** Milliseconds (default 60 s, within the tests' 120 s). */
  deadline?: number;
  /** The processes whose output the failure shows. */
  processes?: readonly CliProcess[];
  /** Milliseconds between checks (default 20). */
  every?: number;
}

/** What each process printed, headed by its command line. */
export function outputs(processes: readonly CliProcess[]): string {
  return processes.map((p) => `--- ${p.label} (${p.child.exitCode ?? p.child.signalCode ?? 'running'}) ---\n${p.output()}`).join('\n');
}

/** Resolves once `condition` holds; rejects after the deadline with the processes' output. */
export async function until(condition: () => boolean | Promise<boolean>, options: UntilOptions): Promise<void> {
  const deadline = options.deadline ?? 60_000;
  const end = Date.now() + deadline;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`${options.describe}: not within ${deadline / 1000} s\n${outputs(options.processes ?? [])}`);
    await sleep(options.every ?? 20);
  }
}

/** The exit code of `process`, or a failure with the processes' output if it has not exited by the deadline. */
export async function exitOf(process: CliProcess, options: Omit<UntilOptions, 'describe' | 'every'> = {}): Promise<number | null> {
  const deadline = options.deadline ?? 100_000;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${process.label}: still running after ${deadline / 1000} s\n${outputs(options.processes ?? [process])}`)),
      deadline,
    );
  });
  try {
    return await Promise.race([process.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
