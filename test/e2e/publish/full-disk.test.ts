/**
 * `mlp-lab report` on a full disk: whatever it could not write, no file is left cut short under
 * its final name (report.html was once written in place, and a full disk left it truncated
 * mid-base64). Every write in src/ goes through writeFileAtomic; this checks the result.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mlp-lab.js');
/** A small file system of its own, to fill; needs root (mount), else the test is skipped. */
const mountPoint = mkdtempSync(path.join(tmpdir(), 'mlp-lab-full-report-'));
const canMount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint]).status === 0;
afterAll(() => {
  if (canMount) spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Whether a file is whole, judged by how its format ends. */
function whole(file: string): boolean {
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8').trimEnd();
  if (file.endsWith('.html')) return text.endsWith('</html>');
  if (file.endsWith('.svg')) return text.endsWith('</svg>');
  if (file.endsWith('.png')) return bytes.subarray(-8, -4).toString('latin1') === 'IEND';
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  }
  return true;
}

const report = (out: string) =>
  spawnSync(process.execPath, [BIN, 'report', 'experiments/report.yaml', '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });

describe.skipIf(!canMount)('mlp-lab report on a full disk (a tmpfs of 8 MB)', () => {
  it('leaves every file whole or absent, and no temporary file, when the disk fills while report.html is written', () => {
    const out = path.join(mountPoint, 'out');
    cpSync('results/report/runs', path.join(out, 'report', 'runs'), { recursive: true });
    expect(report(out).status).toBe(0);
    // Again with room for half of the page: the tables are rewritten and the charts unchanged, so
    // the page is the write that meets the full disk.
    const page = path.join(out, 'report', 'report.html');
    const pageBytes = statSync(page).size;
    expect(pageBytes).toBeGreaterThan(256 * 1024); // the page holds the charts as base64 images
    rmSync(page);
    const { bavail, bsize } = statfsSync(mountPoint);
    const filler = path.join(mountPoint, 'filler');
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - Math.floor(pageBytes / 2))));
    try {
      const result = report(out);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/ENOSPC.*report\.html/);
      expect(result.stderr).not.toMatch(/internal error/);
      const written = files(path.join(out, 'report')).filter((f) => !f.includes(`${path.sep}runs${path.sep}`));
      expect(written.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(written.filter((f) => !whole(f))).toEqual([]);
      expect(written).not.toContain(page);
    } finally {
      rmSync(filler, { force: true });
    }
  }, 180_000);
});
