/**
 * Fuzzing whole argument vectors through the real CLI (fast-check, fixed seed, a few cases: each
 * is a process): whatever the words, no stack trace, and exit 0 or 2.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cliWith } from '../../support/cli.ts';
import { count, fuzzOptions, tried } from '../../support/fuzz.ts';
import { workspace } from '../../support/workspace.ts';

const space = workspace('fuzz-cli');
afterAll(() => {
  process.stdout.write(`fuzz cases tried (argument vectors): ${[...tried].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
});

describe('fuzzed argument vectors through the real CLI', () => {
  const bad = space.write('bad.yaml', 'name: x\ndefaults:\n  layers: [784, 10]\n  epochs: -1\n');
  const word = fc.oneof(
    fc.constantFrom(
      'validate',
      'plan',
      'report',
      'schema',
      'run',
      '--set',
      '--only',
      '--jobs',
      '--max-runs',
      '--json',
      '--out',
      '--reference',
      '-j',
      '--',
      '-',
      '--help',
    ),
    fc.constantFrom('experiments/report.yaml', bad, 'nope.yaml', 'epochs=0', 'epochs=1', 'x', '0', '-5', '1e9', ''),
  );
  it('never print a stack trace and exit 0, 1 or 2 (run and report only ever see invalid input here)', () => {
    fc.assert(
      fc.property(fc.constantFrom('validate', 'plan', 'report', 'schema'), fc.array(word, { maxLength: 5 }), (command, args) => {
        count('cli-process');
        // Never let a case train or write: `run` only with an invalid file; report into a scratch folder.
        const argv = [command, ...args.filter((a) => a !== 'run' && a !== '--write'), ...(command === 'report' ? ['--out', space.dir] : [])];
        const r = cliWith({ timeout: 60_000 }, ...argv);
        expect(r.stderr, argv.join(' ')).not.toMatch(/\n\s+at |internal error/);
        expect([0, 2], `${argv.join(' ')}\n${r.stderr}`).toContain(r.code);
      }),
      fuzzOptions(3, 8_000),
    );
  });
});
