import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDeadTemporaries, writeFileAtomic } from '../../../src/store/atomic.ts';
import { workspace } from '../../support/workspace.ts';

describe('temporaries of atomic writes', () => {
  it('of a writer killed mid-write are deleted; those of a live writer and other files are kept', () => {
    const dir = workspace('atomic').dir;
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // a process that has exited
    writeFileAtomic(path.join(dir, 'results.csv'), 'a\n');
    const dead = `results.csv.${gone}.0123abcd.tmp`;
    const live = `results.csv.${process.pid}.89abcdef.tmp`;
    const others = ['notes.tmp', 'r.ckpt.12.zz.tmp', 'chart.svg.12.tmp'];
    for (const name of [dead, live, ...others]) writeFileSync(path.join(dir, name), 'x');

    expect(removeDeadTemporaries(dir)).toEqual([dead]);
    expect(readdirSync(dir).sort()).toEqual(['results.csv', live, ...others].sort());
    expect(removeDeadTemporaries(path.join(dir, 'absent'))).toEqual([]);
    expect(removeDeadTemporaries(path.join(dir, 'notes.tmp'))).toEqual([]); // a file where a folder is expected
  });
});
