import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from '../../../src/run/progress.ts';

/** A display with a clock the test moves, printing plain lines on every progress message. */
function display(total: number, work: number) {
  let time = 1_000_000;
  const lines: string[] = [];
  const view = new ProgressDisplay(total, work, {
    live: false,
    quiet: false,
    color: false,
    plainInterval: 0,
    write: (line) => lines.push(line),
    now: () => time,
  });
  return {
    view,
    lines,
    at: (seconds: number) => {
      time = 1_000_000 + seconds * 1000;
    },
  };
}
const progress = (iteration: number, iterations = 18_750) => ({
  type: 'progress' as const,
  runId: 'r',
  epoch: 1,
  epochs: 10,
  iteration,
  iterations,
  trainCost: 0.5,
  testAccuracy: null,
});

describe('the ETA of a run', () => {
  it("after a resume, comes from the iterations trained in this process, not from the checkpoint's", () => {
    const { view, lines, at } = display(1, 18_750);
    view.runStarted('r', 'rep/a', 18_750);
    at(1);
    view.progress(progress(11_875));
    at(11);
    view.progress(progress(12_875)); // 1,000 iterations in 10 s: 5,875 left take about 59 s
    expect(lines.at(-1)).toMatch(/iter 12875\/18750 .* 0:11 {2}ETA 0:59$/);
  });

  it("shows the run's own training time, the attempts before a resume included, as its done line does", () => {
    const { view, lines, at } = display(1, 18_750);
    view.runStarted('r', 'rep/a', 18_750);
    at(2);
    view.progress({ ...progress(11_875), seconds: 130 }); // 2 s here, after 128 s before the resume
    expect(lines.at(-1)).toMatch(/iter 11875\/18750 .* 2:10$/);
    view.runEnded('r', { status: 'completed', testAccuracy: 97, seconds: 205, message: null });
    expect(lines.at(-1)).toMatch(/rep\/a {2}test 97\.00% {2}3:25$/);
  });

  it('is hidden until a few seconds of training have been measured', () => {
    const { view, lines, at } = display(1, 1875);
    view.runStarted('r', 'rep/a', 1875);
    at(0.2);
    view.progress(progress(1, 1875));
    at(0.5);
    view.progress(progress(3, 1875));
    expect(lines.slice(1).every((line) => !line.includes('ETA'))).toBe(true);
    at(4);
    view.progress(progress(40, 1875));
    expect(lines.at(-1)).toMatch(/ETA \d+:\d\d$/);
  });
});

describe('the line of a finished run', () => {
  it('shows no accuracy for a diverged run, as the tables do', () => {
    const { view, lines } = display(2, 2);
    view.runStarted('r', 'rep/a', 1);
    view.runEnded('r', { status: 'diverged', testAccuracy: 18.33, seconds: 3, message: 'the training cost became NaN' });
    expect(lines.at(-1)).toBe('DIVERGED  rep/a  0:03  (the training cost became NaN)');
    view.runStarted('s', 'rep/b', 1);
    view.runEnded('s', { status: 'completed', testAccuracy: 91.5, seconds: 3, message: null });
    expect(lines.at(-1)).toBe('done      rep/b  test 91.50%  0:03');
  });
});

describe('live progress', () => {
  it('needs a terminal that reports its size: a pty of 0 rows gets plain lines', async () => {
    const { liveTerminal } = await import('../../../src/run/progress.ts');
    expect(liveTerminal({ isTTY: true, rows: 24, columns: 80 })).toBe(true);
    expect(liveTerminal({ isTTY: true, rows: 0, columns: 0 })).toBe(false);
    expect(liveTerminal({ isTTY: false, rows: 24, columns: 80 })).toBe(false);
  });
});
