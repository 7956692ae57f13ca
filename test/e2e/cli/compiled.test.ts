/**
 * The compiled program (dist/, built by `npm ci` and by `npm test` before the suite) as a user
 * starts it: from a folder outside the checkout, with no TypeScript loader anywhere.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { cliWith } from '../../support/cli.ts';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

const REPORT = path.resolve('experiments/report.yaml');

const compiled = (cwd: string, ...args: string[]) => cliWith({ cwd, env: { MLP_LAB_FROM_SOURCE: undefined } }, ...args);

requires('the build', existsSync('dist/cli/main.js') ? null : 'no dist/cli/main.js (npm run build; npm test builds first)').describe(
  'the compiled program',
  () => {
    it('runs from a folder outside the checkout: workers load compiled JavaScript, not tsx', () => {
      const elsewhere = workspace('elsewhere').dir;
      const version = compiled(elsewhere, '--version');
      expect(version.stderr).toBe('');
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

      const out = path.join(elsewhere, 'results');
      const run = compiled(
        elsewhere,
        'run',
        REPORT,
        '--only',
        'relu',
        '--set',
        'epochs=1',
        '--set',
        'dataset.train_limit=300',
        '--set',
        'dataset.test_limit=100',
        '--out',
        out,
        '--quiet',
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(readdirSync(path.join(out, 'report', 'runs'))).toHaveLength(1);
      // Charts and the page come from the bundled Vega and Vega-Lite, drawn to PNG by resvg (not bundled).
      expect(readdirSync(path.join(out, 'report', 'charts')).sort()).toEqual(['results.png', 'results.svg', 'results.vl.json', 'runs']);
      expect(readdirSync(path.join(out, 'report', 'charts', 'runs')).filter((f) => f.endsWith('.png'))).toHaveLength(2);
      expect(readFileSync(path.join(out, 'report', 'report.html'), 'utf8')).toMatch(/vegaEmbed/);
    });

    it('points at the mistake in a wrong experiment file (the precompiled validator)', () => {
      const elsewhere = workspace('elsewhere').dir;
      writeFileSync(path.join(elsewhere, 'typo.yaml'), 'name: typo\ndefaults: { layers: [784, 10], activaton: relu }\n');
      const result = compiled(elsewhere, 'validate', 'typo.yaml');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^typo\.yaml:2:32: error: unknown key `activaton` in `defaults`/);
      expect(result.stderr).toMatch(/did you mean `activation`\?/);
    });
  },
);
