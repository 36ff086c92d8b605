// Real traces recorded on the host that the model once rejected wrongly. The model must accept every
// one of them (they are what Linux does), and must still reject them when a count is tampered with.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../spec/codec.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { check } from '../reference-model/check.ts';

const DIR = join(import.meta.dirname, 'fixtures', 'traces');
const fixtures = readdirSync(DIR).map((f) => ({ f, ...(fromJson(readFileSync(join(DIR, f), 'utf8')) as { scenario: Scenario; trace: Trace; profile: 'linux' | 'posix' }) }));

describe('recorded host traces', () => {
  it.each(fixtures.map((x) => [x.f, x] as const))('%s conforms under linux and posix', (_f, x) => {
    for (const p of ['linux', 'posix']) expect(check(x.scenario, x.trace, loadProfile(p)).status, p).toBe('pass');
  });

  it('rejects the last-reader race with a count neither order gives', () => {
    const x = fixtures.find((y) => y.f === 'last-reader-race-65536.json')!;
    const trace = structuredClone(x.trace);
    for (const e of trace.events) if (e.type !== 'quiescent' && e.step === 3 && e.outcome.kind === 'ok') e.outcome.value = 65535;
    const v = check(x.scenario, trace, loadProfile('linux'));
    expect(v.status).toBe('fail');
    expect(v.status === 'fail' && v.violation.clause).toBe('pipe.epipe-when-no-reader');
  });
});
