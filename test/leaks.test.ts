// Nothing leaks (DESIGN principle 8): descriptors, temp dirs and child processes are gone after a
// run, including runs whose scenarios leave calls blocked and children running.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../spec/profile.ts';
import { HostTarget } from '../harness/host/target.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../suites/run-property.ts';

const openFds = () => readdirSync('/proc/self/fd').length;
const children = () =>
  readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'latin1');
      return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch { return false; }
  });

describe.skipIf(process.platform !== 'linux')('cleanup', () => {
  it('leaves no descriptor, temp dir or child process behind', async () => {
    const warm = new HostTarget();
    await runProperty(PROPERTIES[0], warm, loadProfile('linux'), { runs: 3, seed: 1 });
    await warm.dispose();
    const fds = openFds();
    const target = new HostTarget();
    expect(existsSync(target.root)).toBe(true);
    for (const area of ['pipe-blocking', 'pipe-sharing', 'fifo-open', 'pipeline', 'pipe-no-reader']) {
      for (const p of PROPERTIES.filter((x) => x.area === area)) await runProperty(p, target, loadProfile('linux'), { runs: 15, seed: 3 });
    }
    await target.dispose();
    expect(openFds()).toBe(fds);
    expect(existsSync(target.root)).toBe(false);
    expect(children()).toEqual([]);
  });
});
