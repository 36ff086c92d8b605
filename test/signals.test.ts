// Signals the harness receives (SIGCHLD from its own children, a profiler's SIGPROF) are not part of
// any scenario: a storm of them must not turn into EINTR or short counts in a trace (no false alarms).
import { readdirSync } from 'node:fs';
import koffi from 'koffi';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../spec/profile.ts';
import { HostTarget } from '../harness/host/target.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';

const tgkill = process.platform === 'linux' ? koffi.load('libc.so.6').func('int tgkill(int tgid, int tid, int sig)') : undefined;
const SIGUSR2 = 12;

/** Signal every thread of this process, actors included, as a profiler or a stray kill might. */
const signalEveryThread = (): void => {
  for (const tid of readdirSync('/proc/self/task')) tgkill!(process.pid, Number(tid), SIGUSR2);
};

// Installed for the life of this file and never removed: signals aimed at actor threads stay pending
// there (they block them) and may be delivered later; without a handler they would end the process.
let delivered = 0;
process.on('SIGUSR2', () => { delivered++; });

describe.skipIf(process.platform !== 'linux')('a storm of signals to every harness thread', () => {
  const target = new HostTarget();
  afterAll(() => target.dispose());

  it.each(['pipe-capacity', 'pipe-blocking', 'pipe-data', 'fifo-open'])('leaves %s conforming', async (area) => {
    const before = delivered;
    const storm = setInterval(signalEveryThread, 1);
    try {
      for (const p of PROPERTIES.filter((x) => x.area === area)) {
        const out = await runProperty(p, target, loadProfile('linux'), { runs: 60, seed: 11 });
        expect(out.failure?.verdict, p.name).toBeUndefined();
      }
    } finally {
      clearInterval(storm);
    }
    expect(delivered).toBeGreaterThan(before);
  });
});
