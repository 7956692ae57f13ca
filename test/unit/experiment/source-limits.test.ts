import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, problem, UserError } from '../../../src/errors.ts';
import { loadExperiment } from '../../../src/experiment/index.ts';
import { firstInvalidByte } from '../../../src/experiment/source.ts';
import { Rng } from '../../../src/core/rng.ts';
import { workspace } from '../../support/workspace.ts';

const dir = workspace('source').dir;

function problemsOf(name: string, content: string | Uint8Array) {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  try {
    loadExperiment(file);
  } catch (error) {
    if (error instanceof UserError) return error.problems;
    throw error;
  }
  return [];
}

describe('the UTF-8 locator', () => {
  it('finds the first bad byte where the decoder fails, on random bytes', () => {
    const rng = Rng.fromSeed(7);
    const random = () => rng.uniform();
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
        random() < 0.5 ? 0x80 + Math.floor(random() * 0x80) : Math.floor(random() * 0x100),
      );
      const bad = firstInvalidByte(bytes);
      const decodes = (end: number) => {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
          return true;
        } catch {
          return false;
        }
      };
      if (bad === bytes.length) {
        expect(decodes(bytes.length)).toBe(true);
      } else {
        // The prefix before the bad byte decodes, but no valid sequence starts at it.
        expect(decodes(bad)).toBe(true);
        const rest = bytes.subarray(bad);
        const startsValid = [1, 2, 3, 4].some(
          (k) =>
            k <= rest.length &&
            (() => {
              try {
                new TextDecoder('utf-8', { fatal: true }).decode(rest.subarray(0, k));
                return true;
              } catch {
                return false;
              }
            })(),
        );
        expect(startsValid).toBe(false);
      }
    }
  });

  // The bound is generous (it takes milliseconds); the quadratic locator took 44 s here.
  it('points at a bad byte at the end of a 400 KB line, line and column right', { timeout: 10_000 }, () => {
    const text = Buffer.concat([Buffer.from(`name: x\ndefaults:\n  layers: [784, 10]\n  label: "${'é'.repeat(200_000)}`), Buffer.from([0xff, 0x22, 0x0a])]);
    const [p] = problemsOf('long-line.yaml', text);
    expect(p).toMatchObject({ code: 'not-utf8', line: 4, col: 11 + 200_000 });
  });
});

describe('documents the yaml library cannot convert', () => {
  it('reports a merge key with a scalar (`<<: 5`) as a problem at the value', () => {
    const problems = problemsOf('merge.yaml', 'name: x\n<<: 5\ndefaults:\n  layers: [784, 10]\n');
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['bad-merge 2:5']);
  });

  it('accepts merges of mappings, aliases and lists of them', () => {
    const problems = problemsOf(
      'merge-ok.yaml',
      `${'name: x\nbase: &b {epochs: 2}\n'.replace('base', 'defaults')}variants:\n  - id: a\n    <<: [*b]\n    layers: [784, 10]\n`,
    );
    expect(problems).toEqual([]);
  });

  it.each([80, 3000, 20_000])('reports nesting %i levels deep as too-deep, with a short excerpt', (depth) => {
    const problems = problemsOf(`deep-${depth}.yaml`, `name: x\ndefaults:\n  layers: [784, 10]\n  history: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(problems.map((p) => p.code)).toEqual(['too-deep']);
    const printed = formatProblem(problems[0]!);
    expect(Math.max(...printed.split('\n').map((l) => l.length))).toBeLessThan(200);
  });

  it('nests mappings too deeply without running out of stack', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const problems = problemsOf('deep-maps.yaml', `name: x\ndefaults:\n  layers: [784, 10]\n${lines.join('\n')} 1\n`);
    expect(problems.map((p) => p.code)).toEqual(['too-deep']);
  });
});

describe('excerpts of long lines', () => {
  it('shows a window around the column, marked where it was cut', () => {
    const p = {
      ...problem('bad-value', 'bad', { file: 'f.yaml', line: 1, col: 5001 }),
      excerpt: { text: `${'a'.repeat(5000)}BAD${'b'.repeat(5000)}`, length: 3 },
    };
    const [, excerpt, marker] = formatProblem(p).split('\n');
    expect(excerpt!.length).toBeLessThan(120);
    expect(excerpt).toMatch(/^ 1 \| …a+BADb+…$/);
    expect(excerpt!.indexOf('BAD')).toBe(marker!.indexOf('^^^'));
  });
});
