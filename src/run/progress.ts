import { createLogUpdate } from 'log-update';
import type { ProgressMessage } from './messages.ts';

/** How a finished run is summed up on its line. */
export interface RunEnd {
  status: 'completed' | 'diverged' | 'early-stopped' | 'stopped' | 'failed';
  testAccuracy: number | null;
  seconds: number;
  message: string | null;
}

export interface ProgressOptions {
  /** Redraw live lines (a terminal) or print throttled plain lines (CI logs, pipes). */
  live: boolean;
  /** Print only the summary. */
  quiet: boolean;
  color: boolean;
  /** Seconds between plain progress lines of one run. */
  plainInterval?: number;
  write?: (text: string) => void;
  /** Where the lines go: stdout, or stderr when stdout carries `--json` output. */
  stream?: NodeJS.WriteStream;
  /** A search's round (`round 2 of 5`): announced when the view starts, and on the overall line. */
  stage?: string | null;
  /** The clock, in milliseconds (tests set it). */
  now?: () => number;
}

/** An ETA is shown once this much has been measured in this process: the first iterations (loading, warming up) say little. */
const ETA_AFTER_MS = 3000;

interface Active {
  label: string;
  work: number;
  started: number;
  latest: ProgressMessage | null;
  lastPlain: number;
  /** The first progress seen in this process: a resumed run starts far from iteration 0, and only what it trains here measures its speed. */
  base: { iteration: number; time: number } | null;
}

/**
 * The live view of a `run`: one line per run in flight (label, epoch, iteration, cost, accuracy,
 * elapsed, ETA) and an overall line (runs done of total, failures, ETA). Estimates weigh runs by
 * their work (iterations × weights), measured against the throughput seen so far in this process
 * (a resumed run's iterations before its checkpoint do not count), and are hidden until there is
 * enough of it to mean something.
 */
export class ProgressDisplay {
  private readonly active = new Map<string, Active>();
  private readonly write: (text: string) => void;
  private readonly live: ReturnType<typeof createLogUpdate> | null;
  private readonly now: () => number;
  private readonly started: number;
  private done = 0;
  private failed = 0;
  private diverged = 0;
  /** The work of the runs that ended, whole. */
  private workDone = 0;
  /** The part of it trained in this process. */
  private workDoneHere = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly total: number,
    private readonly totalWork: number,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    const stream = options.stream ?? process.stdout;
    this.write = options.write ?? ((text) => stream.write(`${text}\n`));
    this.live = options.live && !options.quiet ? createLogUpdate(stream) : null;
    if (options.stage && !options.quiet && total > 0) this.write(`${options.stage}: ${total} run${total === 1 ? '' : 's'} to train`);
    if (this.live) {
      this.timer = setInterval(() => this.render(), 100);
      this.timer.unref();
    }
  }

  runStarted(runId: string, label: string, work: number): void {
    this.active.set(runId, { label, work, started: this.now(), latest: null, lastPlain: this.now(), base: null });
    if (!this.live && !this.options.quiet) this.write(`${'start'.padEnd(9)} ${label}`);
  }

  progress(message: ProgressMessage): void {
    const run = this.active.get(message.runId);
    if (!run) return;
    run.latest = message;
    run.base ??= { iteration: message.iteration, time: this.now() };
    const interval = (this.options.plainInterval ?? 10) * 1000;
    if (!this.live && !this.options.quiet && this.now() - run.lastPlain >= interval) {
      run.lastPlain = this.now();
      this.write(`${''.padEnd(9)} ${this.describe(run)}`);
    }
  }

  runEnded(runId: string, end: RunEnd): void {
    const run = this.active.get(runId);
    if (!run) return;
    this.active.delete(runId);
    this.done++;
    this.workDone += run.work;
    this.workDoneHere += run.work * (run.latest ? 1 - (run.base?.iteration ?? 0) / run.latest.iterations : 1);
    if (end.status === 'failed') this.failed++;
    if (end.status === 'diverged') this.diverged++;
    if (this.options.quiet) return;
    // A diverged network's accuracy is not a result (the tables show none either): only its status.
    const accuracy = end.status === 'diverged' || end.testAccuracy === null || Number.isNaN(end.testAccuracy) ? '' : `  test ${end.testAccuracy.toFixed(2)}%`;
    const color = { completed: '32', 'early-stopped': '32', diverged: '33', stopped: '33', failed: '31' }[end.status];
    const mark = this.paint(color, (end.status === 'completed' ? 'done' : end.status.toUpperCase()).padEnd(9));
    const line = `${mark} ${run.label}${accuracy}  ${clock(end.seconds)}${end.message ? `  (${end.message})` : ''}`;
    if (this.live) this.live.persist(line);
    else this.write(line);
    this.render();
  }

  /** Removes the live lines; the caller prints the summary after this. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.live?.clear();
    this.live?.done();
  }

  private render(): void {
    if (!this.live) return;
    const lines = [...this.active.values()].map((run) => `  ${this.describe(run)}`);
    const eta = this.overallEta();
    lines.push(
      `${this.options.stage ? `${this.options.stage}: ` : ''}${this.done}/${this.total} runs done${this.diverged ? `, ${this.diverged} diverged` : ''}${this.failed ? `, ${this.paint('31', `${this.failed} failed`)}` : ''}` +
        `  elapsed ${clock((this.now() - this.started) / 1000)}${eta === null ? '' : `  ETA ${clock(eta)}`}`,
    );
    this.live(lines.join('\n'));
  }

  private describe(run: Active): string {
    const p = run.latest;
    // The run's own clock, as its record and its `done` line count it: a resumed run's training
    // before the resume included (the worker says so); this process's time until it does.
    const elapsed = p?.seconds ?? (this.now() - run.started) / 1000;
    if (!p) return `${run.label}  starting  ${clock(elapsed)}`;
    const base = run.base!;
    const measured = this.now() - base.time;
    const trained = p.iteration - base.iteration;
    const eta = measured >= ETA_AFTER_MS && trained > 0 ? ((p.iterations - p.iteration) * measured) / trained / 1000 : null;
    return [
      run.label,
      `epoch ${p.epoch}/${p.epochs}`,
      `iter ${p.iteration}/${p.iterations}`,
      Number.isFinite(p.trainCost) ? `cost ${p.trainCost.toFixed(4)}` : null,
      p.testAccuracy === null ? null : `test ${p.testAccuracy.toFixed(2)}%`,
      clock(elapsed),
      eta === null ? null : `ETA ${clock(eta)}`,
    ]
      .filter((part) => part !== null)
      .join('  ');
  }

  private overallEta(): number | null {
    let inFlight = 0;
    let inFlightHere = 0;
    for (const run of this.active.values()) {
      if (!run.latest) continue;
      inFlight += run.work * (run.latest.iteration / run.latest.iterations);
      inFlightHere += run.work * ((run.latest.iteration - run.base!.iteration) / run.latest.iterations);
    }
    const left = this.totalWork - this.workDone - inFlight;
    const here = this.workDoneHere + inFlightHere;
    const elapsed = this.now() - this.started;
    if (here <= 0 || elapsed < ETA_AFTER_MS) return null;
    return (left * elapsed) / here / 1000;
  }

  private paint(code: string, text: string): string {
    return this.options.color ? `\u001b[${code}m${text}\u001b[39m` : text;
  }
}

/** Seconds as m:ss or h:mm:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Whether a stream can show live lines: a terminal that reports its size. A pty that reports 0
 * rows (some CI runners, `script` without a size) would get nothing from a redrawn view, so it
 * gets plain lines.
 */
export function liveTerminal(stream: { isTTY?: boolean; rows?: number; columns?: number }): boolean {
  return stream.isTTY === true && (stream.rows ?? 0) > 0 && (stream.columns ?? 0) > 0;
}
