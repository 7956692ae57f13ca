import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ProgressMessage, RunOutcome, RunTask, ToWorker } from './messages.ts';

/** A run whose worker process died: a native crash, an exhausted heap, a kill. */
export class WorkerCrash extends Error {}

export interface PoolOptions {
  /** The worker process's entry module. */
  entry: URL;
  /** Node options of the worker processes (e.g. tsx's loader when running from source). */
  execArgv: readonly string[];
}

interface Worker {
  child: ChildProcess;
  /** The last lines the process wrote on stderr: V8 says there why it aborted. */
  stderr: string;
  busy: boolean;
}

/**
 * Worker processes, started as runs need them and reused run after run. `run` sends one task to an
 * idle process (or a new one) and settles with its outcome; it rejects with the run's own error, or
 * with a WorkerCrash naming how the process died, after which that process is replaced.
 * The caller bounds how many runs are in flight.
 */
export class ProcessPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private stopping = false;
  private threads = 1;

  constructor(private readonly options: PoolOptions) {}

  run(task: RunTask, onProgress: (message: ProgressMessage) => void): Promise<RunOutcome> {
    const worker = this.idle.pop() ?? this.spawn();
    worker.busy = true;
    this.busy.add(worker);
    return new Promise<RunOutcome>((resolve, reject) => {
      const settle = (): void => {
        worker.child.off('message', onMessage);
        worker.child.off('exit', onExit);
        this.busy.delete(worker);
        worker.busy = false;
      };
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'progress') {
          onProgress(message);
          return;
        }
        settle();
        if (worker.child.connected) this.idle.push(worker);
        if (message.type === 'outcome') resolve(message.outcome);
        else reject(new Error(message.message));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        settle();
        reject(new WorkerCrash(describeExit(code, signal, worker.stderr)));
      };
      worker.child.on('message', onMessage);
      worker.child.on('exit', onExit);
      this.send(worker, { type: 'threads', threads: this.threads });
      this.send(worker, { type: 'run', task });
      if (this.stopping) this.send(worker, { type: 'stop' });
    });
  }

  /** How many threads each run's evaluations may use from now on, in flight and to come. */
  setThreads(threads: number): void {
    if (threads === this.threads) return;
    this.threads = threads;
    for (const worker of this.busy) this.send(worker, { type: 'threads', threads });
  }

  /** Asks every run in flight to checkpoint and stop; runs sent later stop at once too. */
  stopAll(): void {
    this.stopping = true;
    for (const worker of this.busy) this.send(worker, { type: 'stop' });
  }

  /** Ends the idle worker processes (call once no run is in flight). */
  async close(): Promise<void> {
    const exits = this.idle.splice(0).map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
          worker.child.once('exit', () => resolve());
          worker.child.disconnect();
        }),
    );
    await Promise.all(exits);
  }

  private spawn(): Worker {
    const child = fork(fileURLToPath(this.options.entry), [], {
      execArgv: [...this.options.execArgv],
      // Structured clone: typed arrays (weights) cross without becoming JSON.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const worker: Worker = { child, stderr: '', busy: false };
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      worker.stderr = (worker.stderr + chunk).slice(-4000);
    });
    child.on('exit', () => {
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
    });
    // A message to a process that has just died fails; its 'exit' handler reports the run.
    child.on('error', () => {});
    return worker;
  }

  private send(worker: Worker, message: ToWorker): void {
    if (worker.child.connected) worker.child.send(message);
  }
}

/** Why a worker process ended, in words, from its exit code or signal and the end of its stderr. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (/heap out of memory|Allocation failed|out of memory/i.test(stderr)) return 'the worker process ran out of memory (JavaScript heap)';
  switch (signal) {
    case 'SIGSEGV':
    case 'SIGBUS':
    case 'SIGILL':
    case 'SIGFPE':
      return `the worker process crashed (${signal}: a fault in native code)`;
    case 'SIGABRT':
      return `the worker process aborted (SIGABRT)${lastLine(stderr)}`;
    case 'SIGKILL':
      return 'the worker process was killed (SIGKILL; the system kills processes that exhaust its memory this way)';
    case null:
      return `the worker process exited unexpectedly with code ${code}${lastLine(stderr)}`;
    default:
      return `the worker process was ended by ${signal}`;
  }
}

function lastLine(stderr: string): string {
  const line = stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1);
  return line ? `: ${line.trim()}` : '';
}
