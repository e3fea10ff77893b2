import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidAlive, STAGING_PREFIX, StagingArea, sweepStaleStaging } from './staging';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'll-staging-test-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

function stagingFolder(name: string, owner?: number): string {
  const d = join(parent, STAGING_PREFIX + name);
  mkdirSync(join(d, 'imported-1'), { recursive: true });
  writeFileSync(join(d, 'imported-1', 'run.json'), '{}');
  if (owner !== undefined) writeFileSync(join(d, '.owner'), String(owner));
  return d;
}

describe('staging folder for runs of unsaved documents', () => {
  it('is made on first use, marked with this process, and removed (with its runs) by dispose', async () => {
    const s = new StagingArea(parent);
    const d = await s.dir();
    expect(await s.dir()).toBe(d);
    expect(d.startsWith(join(parent, STAGING_PREFIX))).toBe(true);
    expect(readFileSync(join(d, '.owner'), 'utf8')).toBe(String(process.pid));
    mkdirSync(join(d, 'imported-2'));
    writeFileSync(join(d, 'imported-2', 'weights.bin'), 'x');
    await s.dispose();
    expect(existsSync(d)).toBe(false);
    // A later use makes a new one; disposeSync removes it too.
    const again = await s.dir();
    expect(again).not.toBe(d);
    s.disposeSync();
    expect(existsSync(again)).toBe(false);
    await s.dispose(); // nothing left: no error
  });

  it('a start removes the folders of processes that are gone and old unmarked ones; keeps live owners\' and new ones', async () => {
    const gone = stagingFolder('gone', deadPid());
    const live = stagingFolder('live', process.ppid);
    const mine = stagingFolder('mine', process.pid);
    const unmarkedOld = stagingFolder('old');
    const old = new Date(Date.now() - 3 * 24 * 3600_000);
    utimesSync(unmarkedOld, old, old);
    const unmarkedNew = stagingFolder('new'); // maybe being made right now
    const other = join(parent, 'something-else');
    mkdirSync(other);
    expect(pidAlive(process.ppid)).toBe(true);

    const removed = await sweepStaleStaging(parent);
    expect(removed.sort()).toEqual([gone, unmarkedOld].sort());
    for (const d of [gone, unmarkedOld]) expect(existsSync(d)).toBe(false);
    for (const d of [live, mine, unmarkedNew, other]) expect(existsSync(d)).toBe(true);
    expect(await sweepStaleStaging(join(parent, 'missing'))).toEqual([]);
  });
});
