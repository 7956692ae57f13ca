/**
 * The documentation's examples are true: every fenced block that shows `$ mlp-lab ...` commands
 * with their output is run in the repository, as a new user in a fresh clone would (the committed
 * results included), and each output line it shows must be in what the command prints. Blocks
 * whose commands train or need a server cannot run here; they are listed in NOT_RUN, each with
 * the reason, so that a new example is either checked or set aside on purpose.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, documentationFiles, fencedBlocks, readDoc } from '../../support/markdown.ts';

/** Commands that read and print without training, writing or a server. */
const READ_ONLY = new Set(['validate', 'plan', 'compare', 'best', 'schema', 'diff']);

/** Blocks with output that are not run, by their first command. */
const NOT_RUN = new Map([
  ['mlp-lab run experiments/report.yaml', 'trains (minutes on a loaded machine)'],
  ['mlp-lab run experiments/relu-vs-sigmoid.yaml --queue', 'needs Redis and a worker'],
  ['mlp-lab queue --queue', 'needs Redis and a worker'],
  [
    'mlp-lab validate bad.yaml',
    "its bad.yaml and bad.csv are the page's own, not files of the repository (the same mistakes are in test/fixtures and checked there)",
  ],
]);

interface Step {
  command: string;
  output: string[];
}

/** A block as `$ command` lines, each with the output lines under it; `$ echo $?` is an exit code. */
function steps(block: string): Step[] {
  const out: Step[] = [];
  for (const line of block.split('\n')) {
    const command = /^\$ (.*)$/.exec(line)?.[1];
    if (command !== undefined) out.push({ command: command.replace(/\s+#\s.*$/, '').trim(), output: [] });
    else if (out.length > 0 && line.trim() !== '') out.at(-1)!.output.push(line);
  }
  return out;
}

const mlpLab = (command: string) => /^(?:npx )?mlp-lab ([a-z-]+)\b/.exec(command)?.[1];
const squeeze = (text: string) => text.replace(/\s+/g, ' ').trim();

const examples = documentationFiles()
  .flatMap((file) => fencedBlocks(readDoc(file)).map((block) => ({ file, steps: steps(block) })))
  .filter((e) => e.steps.some((s) => mlpLab(s.command) && s.output.length > 0));

describe('the examples of the documentation', () => {
  it('are found', () => {
    expect(examples.length).toBeGreaterThan(2);
  });

  it.each(examples.map((e) => [`${e.file}: ${e.steps[0]!.command}`, e] as const))(
    '%s',
    (_, example) => {
      // An example set aside on purpose, with its reason (its files are the page's own, say).
      if ([...NOT_RUN].some(([start]) => example.steps[0]!.command.replace(/^npx /, '').startsWith(start))) return;
      const runnable = example.steps.every((s) => s.command === 'echo $?' || READ_ONLY.has(mlpLab(s.command) ?? ''));
      if (!runnable) {
        const first = example.steps.find((s) => !READ_ONLY.has(mlpLab(s.command) ?? '') && s.command !== 'echo $?')!.command.replace(/^npx /, '');
        const reason = [...NOT_RUN].find(([start]) => first.startsWith(start));
        expect(reason, `an example that cannot run here must be listed in NOT_RUN: ${first}`).toBeDefined();
        return;
      }
      let status: number | null = null;
      for (const step of example.steps) {
        if (step.command === 'echo $?') {
          expect(String(status), `${example.file}: exit code`).toBe(step.output[0]);
          continue;
        }
        const args = step.command.replace(/^(?:npx )?mlp-lab /, '').split(/\s+/);
        const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/mlp-lab.js'), ...args], {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, NO_COLOR: '1' },
        });
        status = result.status;
        const printed = squeeze(result.stdout + result.stderr);
        for (const line of step.output) expect(printed, `${example.file}: \`${step.command}\` shows`).toContain(squeeze(line));
      }
    },
    240_000,
  );
});
