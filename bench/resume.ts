/**
 * `npx tsx bench/resume.ts [FILE] [--only RUN] [--kills N] [--seed S] [--set K=V...]`: what checkpoints save.
 *
 * Trains the chosen runs three ways, each in a fresh results folder:
 *   1. uninterrupted (the reference results and time);
 *   2. SIGKILLed (the whole process group) N times at random points of the run, rerun after each
 *      kill until it finishes, with checkpoints (the default, every 10 s);
 *   3. the same kills at the same moments with `checkpoint.every=0`: every rerun starts from zero.
 * Prints the wall time of each, whether 2's results equal 1's bit for bit (timings aside), and the
 * checkpoint overhead the final summary of 1 reports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Rng } from '../src/core/rng.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const file = args[0] && !args[0].startsWith('--') ? args[0] : 'experiments/report.yaml';
const only = option('--only', 'relu');
const kills = Number(option('--kills', '3'));
const rng = Rng.fromSeed(Number(option('--seed', '1')));
const BIN = path.resolve('bin/mlp-lab.js');
const sets = args.flatMap((a, i) => (a === '--set' ? ['--set', args[i + 1]!] : []));
const base = ['run', file, '--only', only, '--force', '--jobs', '1', '--quiet', ...sets];

const fresh = () => mkdtempSync(path.join(tmpdir(), 'mlp-lab-resume-'));

function runToEnd(out: string, extra: string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...base, '--out', out, ...extra], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`run failed: ${result.stderr}`);
  return { seconds: (performance.now() - started) / 1000, stdout: result.stdout };
}

/** Starts a run and SIGKILLs its process group after `delay` seconds (unless it ends first). */
async function runAndKill(out: string, extra: string[], delay: number): Promise<boolean> {
  // --force only on the first start: later starts must find and continue what the kill left.
  const child = spawn(process.execPath, [BIN, ...base.filter((a) => a !== '--force'), '--out', out, ...extra], { detached: true, stdio: 'ignore' });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  await Promise.race([sleep(delay * 1000), exit]);
  if (exited) return false;
  process.kill(-child.pid!, 'SIGKILL');
  await exit;
  return true;
}

async function killedRun(extra: string[], delays: number[]): Promise<{ out: string; seconds: number; kills: number }> {
  const out = fresh();
  const started = performance.now();
  let done = 0;
  for (const delay of delays) if (await runAndKill(out, extra, delay)) done++;
  runToEnd(
    out,
    extra.filter((a) => a !== '--force'),
  );
  return { out, seconds: (performance.now() - started) / 1000, kills: done };
}

/** The experiment's results, timings removed. */
function results(out: string): string {
  const root = path.join(out, readdirSync(out)[0]!, 'runs');
  return readdirSync(root)
    .sort()
    .map((id) =>
      ['config.json', 'history.csv', 'metrics.json', 'weights.safetensors']
        .map((f) =>
          readFileSync(path.join(root, id, f))
            .toString('base64')
            .replace(/.*/, (b64) =>
              f.endsWith('.csv') || f.endsWith('.json')
                ? Buffer.from(b64, 'base64')
                    .toString('utf8')
                    .replace(/"(seconds|finished_at)": [^,\n]+|,[\d.]+\n/g, '')
                : b64,
            ),
        )
        .join('\n'),
    )
    .join('\n');
}

const reference = fresh();
const whole = runToEnd(reference, []);
console.log(`uninterrupted: ${whole.seconds.toFixed(1)} s`);
console.log(
  whole.stdout
    .split('\n')
    .filter((l) => l.startsWith('Checkpoints'))
    .join('\n'),
);
// Kill points spread over the run: each at a random point of an uninterrupted run's length.
const delays = Array.from({ length: kills }, () => (0.2 + 0.75 * rng.uniform()) * whole.seconds);
console.log(`kills after ${delays.map((d) => d.toFixed(1)).join(', ')} s`);
const resumed = await killedRun([], delays);
const identical = results(resumed.out) === results(reference);
console.log(`with checkpoints: ${resumed.kills} kills, ${resumed.seconds.toFixed(1)} s in all; results identical to the uninterrupted run: ${identical}`);
const restarted = await killedRun(['--set', 'checkpoint.every=0'], delays);
console.log(`without checkpoints: ${restarted.kills} kills, ${restarted.seconds.toFixed(1)} s in all`);
console.log(
  `saved by resuming: ${(restarted.seconds - resumed.seconds).toFixed(1)} s (${(100 * (1 - resumed.seconds / restarted.seconds)).toFixed(0)}% of the time without checkpoints)`,
);
