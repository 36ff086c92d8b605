// Nothing leaks (docs/design.md, principle 8): descriptors, temp dirs and child processes are gone after a
// run, including runs whose scenarios leave calls blocked and children running.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../spec/profile.ts';
import { HostTarget } from '../harness/host/target.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';
import { childrenOfThisProcess, openFds } from './fixtures/proc.ts';

const children = childrenOfThisProcess;

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
