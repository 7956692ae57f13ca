import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openInBrowser } from '../../../src/cli/open-file.ts';
import { requires } from '../../support/requires.ts';
import { workspace } from '../../support/workspace.ts';

const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

/** A PATH whose only xdg-open is this shell script. */
function opener(script: string | null): void {
  const bin = workspace('opener').dir;
  if (script !== null) {
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\n${script}\n`);
    chmodSync(path.join(bin, 'xdg-open'), 0o755);
  }
  process.env.PATH = bin;
}

// xdg-open is how Linux opens files; other systems use their own opener (open, start).
requires('Linux', process.platform === 'linux' ? null : `this is ${process.platform}`).describe('opening report.html', () => {
  it('works when the opener succeeds, or is still running (a browser it started in its place)', async () => {
    opener('exit 0');
    expect(await openInBrowser('/tmp/report.html')).toBe(true);
    opener('exec /bin/sleep 5');
    expect(await openInBrowser('/tmp/report.html', 200)).toBe(true);
  });

  it('fails when the opener gives up (xdg-open without a desktop exits with 3) or is missing', async () => {
    opener('exit 3');
    expect(await openInBrowser('/tmp/report.html')).toBe(false);
    opener(null);
    expect(await openInBrowser('/tmp/report.html')).toBe(false);
  });
});
