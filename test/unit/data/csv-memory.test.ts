/**
 * A CSV file is streamed: the memory it takes is bounded by the float32 matrix it becomes, not by
 * its text. A 12 MB file loads in a process whose JavaScript heap is capped at 24 MB (the text as
 * one string would not fit, which the control case shows), and the typed arrays in use at the end
 * are a small multiple of the matrix.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROWS = 130_000;
const COLUMNS = 10;
const dir = mkdtempSync(path.join(tmpdir(), 'mlp-lab-csv-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'table.csv');

function writeTable(): void {
  const fd = openSync(file, 'w');
  writeSync(fd, `${Array.from({ length: COLUMNS }, (_, i) => `f${i}`).join(',')},class\n`);
  let seed = 1;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return (seed / 2147483647).toFixed(6);
  };
  for (let start = 0; start < ROWS; start += 10_000) {
    const lines: string[] = [];
    for (let r = start; r < start + 10_000; r++) lines.push(`${Array.from({ length: COLUMNS }, next).join(',')},${r % 3}`);
    writeSync(fd, `${lines.join('\n')}\n`);
  }
  closeSync(fd);
}

function load(mode: 'load' | 'whole') {
  return spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=24', 'test/fixtures/data/load-csv.ts', file, mode], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('CSV memory', () => {
  writeTable();

  it('streams a 12 MB table under a 24 MB heap, holding little more than its matrix', () => {
    expect(statSync(file).size).toBeGreaterThan(11_000_000);
    const child = load('load');
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout) as { rows: number; inputs: number; arrayBuffers: number };
    expect(result).toMatchObject({ rows: ROWS, inputs: COLUMNS });
    const matrix = ROWS * COLUMNS * 4;
    // The columns as read (grown by doubling) and the encoded sets, plus the 1 MB read chunks.
    expect(result.arrayBuffers).toBeLessThan(3 * matrix + 4_000_000);
  });

  it('control: the same heap cannot hold the text read whole', () => {
    expect(load('whole').status).not.toBe(0);
  });
});
