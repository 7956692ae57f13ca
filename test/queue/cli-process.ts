/** An mlp-lab command in a child process whose output the test can wait on, line by line. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve('bin/mlp-lab.js');

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `pattern` (now or later); rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`mlp-lab ${args.join(' ')} exited (${code}) before printing ${waiter.pattern}:\n${text}`));
    resolve(code);
  }));
  return {
    child,
    output: () => text,
    waitFor: (pattern) => new Promise((resolve, reject) => {
      waiters.push({ pattern, resolve, reject });
      check();
      if (child.exitCode !== null) reject(new Error(`mlp-lab ${args.join(' ')} has exited:\n${text}`));
    }),
    exited,
  };
}
