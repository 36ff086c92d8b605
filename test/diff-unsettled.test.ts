// ipcspec diff with an unsettled target (issue 11): two targets that observed the same values, whose
// verdicts differ only because one cannot prove a call asleep, have no behaviour difference. Both
// targets here are this kernel with the same fault (a read that makes room does not wake the writer
// asleep on the full pipe); one proves blocking by /proc, the other (the host target as gVisor runs
// it, without that proof) cannot.
import { afterAll, describe, expect, it } from 'vitest';
import { diffProperty } from '../harness/diff/engine.ts';
import { UnprovenHostTarget } from '../harness/drivers/host-unproven.ts';
import { HostTarget } from '../harness/host/target.ts';
import { MUTANTS } from '../harness/mutants/index.ts';
import { loadProfile } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';

const host = process.platform === 'linux' ? new HostTarget() : undefined;
const unproven = process.platform === 'linux' ? new UnprovenHostTarget('test: as where /proc shows no syscalls') : undefined;
afterAll(async () => {
  await host?.dispose();
  await unproven?.dispose();
});

describe.skipIf(!host)('a verdict split that only proof explains', () => {
  it('is reported as not a difference, and a real split on the same property still is one', async () => {
    const mutant = MUTANTS.find((m) => m.clause === 'pipe.read-wakes-blocked-writer')!;
    const prop = PROPERTIES.find((p) => p.clauses.includes('pipe.read-wakes-blocked-writer'))!;
    const targets = [mutant.wrap(host!), mutant.wrap(unproven!)];
    expect(targets.map((t) => t.info.settled)).toEqual([true, false]);
    const d = await diffProperty(prop, targets, loadProfile('linux'), { runs: 60, seed: 5, maxDifferences: 2, reruns: 1 });
    // the settled side fails the clause; the unsettled side saw the same and cannot prove the writer asleep
    expect(d.outcomes[0].failures?.some((f) => f.verdict.status === 'fail' && f.verdict.violation.clause === 'pipe.read-wakes-blocked-writer')).toBe(true);
    expect(d.unprovable).toContainEqual(expect.objectContaining({ clause: 'pipe.read-wakes-blocked-writer', failing: [0], unsettled: [1] }));
    expect(d.findings.filter((f) => f.difference && f.finding.kind === 'verdict' && f.finding.clause === 'pipe.read-wakes-blocked-writer')).toEqual([]);
    // the same unsettled target against the conforming host: a fault that shows in values is still a difference
    const order = MUTANTS.find((m) => m.clause === 'pipe.order-and-content')!;
    const data = PROPERTIES.find((p) => p.clauses.includes('pipe.order-and-content'))!;
    const d2 = await diffProperty(data, [host!, order.wrap(unproven!)], loadProfile('linux'), { runs: 20, seed: 5, maxDifferences: 1, reruns: 1 });
    expect(d2.findings.some((f) => f.difference && f.finding.kind === 'verdict' && f.finding.clause === 'pipe.order-and-content')).toBe(true);
    expect(d2.unprovable).toEqual([]);
  }, 240_000);
});
