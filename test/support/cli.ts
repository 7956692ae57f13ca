/**
 * The real CLI, run as a user runs it: `node bin/mlp-lab.js ...` in a child process, from the
 * TypeScript sources (vitest's config sets MLP_LAB_FROM_SOURCE) unless a test unsets it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve('bin/mlp-lab.js');

export interface CliOptions {
  cwd?: string;
  /** Added to the test's environment (with NO_COLOR=1); a key set to undefined is removed. */
  env?: NodeJS.ProcessEnv;
  /** Another copy of the program (default: this checkout's bin/mlp-lab.js). */
  bin?: string;
  /** Options for node itself, before the program (`--import ...`). */
  node?: string[];
  /**
   * Milliseconds after which the command is killed (default 100 s, under the tests' 120 s): a
   * spawnSync that hangs would block the test's own timeout, so it ends with what was printed.
   */
  timeout?: number;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const environment = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', ...env });

export function cliWith(options: CliOptions, ...args: string[]): CliResult {
  const timeout = options.timeout ?? 100_000;
  const result = spawnSync(process.execPath, [...(options.node ?? []), options.bin ?? BIN, ...args], {
    cwd: options.cwd,
    env: environment(options.env),
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  const killed = result.error ? `\n[mlp-lab ${args.join(' ')}: ${result.error.message}; killed after ${timeout / 1000} s]` : '';
  return { code: result.status, stdout: result.stdout ?? '', stderr: (result.stderr ?? '') + killed };
}

/** `mlp-lab ARGS...` in this checkout's folder; resolves when it has exited. */
export function cli(...args: string[]): CliResult {
  return cliWith({}, ...args);
}

/** An mlp-lab command in a child process whose output the test can wait on, line by line. */
export interface CliProcess {
  child: ChildProcess;
  /** `mlp-lab ARGS` (for messages). */
  label: string;
  /** What it printed so far, stdout and stderr interleaved as they came. */
  output(): string;
  /**
   * Resolves with the first output line matching `pattern` (now or later); rejects with the output
   * if the process exits first or nothing matches within `deadline` ms.
   */
  waitFor(pattern: RegExp, deadline?: number): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts `mlp-lab ARGS...`; `detached` puts it in a process group of its own (to kill it with its workers). */
export function startCli(args: string[], options: CliOptions & { detached?: boolean } = {}): CliProcess {
  const label = `mlp-lab ${args.join(' ')}`;
  const child = spawn(process.execPath, [...(options.node ?? []), options.bin ?? BIN, ...args], {
    cwd: options.cwd,
    env: environment(options.env),
    detached: options.detached,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const check = () => {
    const lines = text.split('\n');
    for (const waiter of [...waiters]) {
      const line = lines.find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${label} exited (${code ?? signal}) before printing ${waiter.pattern}:\n${text}`));
      resolve(code);
    }),
  );
  return {
    child,
    label,
    output: () => text,
    waitFor: (pattern, deadline = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(
            waiters.findIndex((w) => w.resolve === done),
            1,
          );
          reject(new Error(`${label} printed no line matching ${pattern} within ${deadline / 1000} s:\n${text}`));
        }, deadline);
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.push({
          pattern,
          resolve: done,
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        check();
        if (child.exitCode !== null || child.signalCode !== null) {
          const i = waiters.findIndex((w) => w.resolve === done);
          if (i >= 0) {
            waiters.splice(i, 1);
            clearTimeout(timer);
            reject(new Error(`${label} has exited:\n${text}`));
          }
        }
      }),
    exited,
  };
}
