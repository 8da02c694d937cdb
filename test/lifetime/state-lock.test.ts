import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { SnapshotFile } from '../../local/state/snapshot-file.js';
import { claimStateDir } from '../../local/state/state-lock.js';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-claim-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A pid no process has: one that just ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe("a state directory's durable state", () => {
  it('is kept by the first local cloud; a second one meanwhile keeps its state in memory', () => {
    const dir = scratch();
    const first = claimStateDir(dir);
    const second = claimStateDir(dir);
    expect([first.durable, second.durable]).toEqual([true, false]);
    first.release();
    const third = claimStateDir(dir);
    expect(third.durable).toBe(true);
    third.release();
  });

  it('is taken over from a holder that died', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'local-cloud.lock'), JSON.stringify({ pid: deadPid() }));
    const claim = claimStateDir(dir);
    expect({ durable: claim.durable, takenOver: claim.takenOverFromDeadHolder }).toEqual({
      durable: true,
      takenOver: true,
    });
    expect(JSON.parse(readFileSync(join(dir, 'local-cloud.lock'), 'utf8'))).toEqual({ pid: process.pid });
    claim.release();
  });

  it('is left to a holder that runs (another process)', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'local-cloud.lock'), JSON.stringify({ pid: process.ppid }));
    const claim = claimStateDir(dir);
    expect({ durable: claim.durable, heldBy: claim.heldBy }).toEqual({
      durable: false,
      heldBy: process.ppid,
    });
  });
});

describe('a snapshot file', () => {
  it('gives back Maps, Sets, Dates and bytes as they were, readable by its owner alone', () => {
    const file = new SnapshotFile<unknown>(join(scratch(), 'state', 'x.snapshot'));
    const value = new Map([['a', { tags: new Set(['v1']), at: new Date(5), bytes: new Uint8Array([1, 2]) }]]);
    file.save(value);
    expect(file.load()).toEqual(value);
    expect(spawnSync('stat', ['-c', '%a', file.path], { encoding: 'utf8' }).stdout.trim()).toBe('600');
  });

  it('reads as nothing when it is not a snapshot', () => {
    const file = new SnapshotFile<unknown>(join(scratch(), 'torn.snapshot'));
    writeFileSync(file.path, 'not a snapshot');
    expect(file.load()).toBeUndefined();
  });
});
