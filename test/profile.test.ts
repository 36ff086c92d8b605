// The committed linux profile must be what this host measurably does (regenerate it with
// `ipcspec measure-profile --write`). Provenance (kernel, dates, evidence) is not compared.
import { describe, expect, it } from 'vitest';
import { behaviour, measureHostFacts, profileFromFacts } from '../harness/measure/profile.ts';
import { loadProfile } from '../spec/profile.ts';

describe.runIf(process.platform === 'linux')('spec/profiles/linux.json', () => {
  const committed = loadProfile('linux');
  const measured = profileFromFacts(measureHostFacts());

  it('has every behavioural field equal to a fresh measurement of this host', () => {
    expect(behaviour(committed)).toEqual(behaviour(measured));
  });

  it('records where its numbers came from', () => {
    expect(committed.provenance.source).toMatch(/measure-profile/);
    expect(Object.keys(measured.provenance).sort()).toEqual(Object.keys(committed.provenance).sort());
  });
});
