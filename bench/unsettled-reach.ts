// How much of each unsettled trace the model still judges (issue 11): for every property, N sampled
// scenarios run on an unsettled target and on the in-process host; prints per property how many
// unsettled traces were judged to the end, how many were left undecided (too many states, or a call
// that may have run after its descriptor closed) and why, and how many clause checks each reading made.
// Usage: npx tsx bench/unsettled-reach.ts [--target exec:CMD] [--profile linux|posix] [--runs N] [--seed S]
import fc from 'fast-check';
import { HostTarget } from '../harness/host/target.ts';
import { runScenario } from '../engine/run-scenario.ts';
import { makeTarget } from '../engine/targets.ts';
import { check } from '../reference-model/check.ts';
import { loadProfile, PROFILE_NAMES } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const profile = loadProfile(arg('profile', 'linux') as (typeof PROFILE_NAMES)[number]);
const runs = Number(arg('runs', '20'));
const seed = Number(arg('seed', '1'));
const target = await makeTarget(arg('target', 'host-process'), profile);
const host = new HostTarget();
console.log(`unsettled reach: ${target.info.name} (settled: ${target.info.settled}), profile ${profile.name}, ${runs} scenarios per property, seed ${seed}`);
let total = 0, undecidedTotal = 0;
for (const prop of PROPERTIES) {
  if (prop.area === 'two-host') continue;
  let judged = 0, undecided = 0, checksUnsettled = 0, checksHost = 0, failed = 0;
  const why = new Map<string, number>();
  for (const sc of fc.sample(prop.scenario(profile), { numRuns: runs, seed })) {
    const v = check(sc, await runScenario(target, sc), profile);
    const h = check(sc, await runScenario(host, sc), profile);
    checksHost += h.exercised.length;
    if (v.status === 'fail') failed++;
    if (v.status !== 'pass') continue;
    judged++;
    checksUnsettled += v.exercised.length;
    if (v.undecided) {
      undecided++;
      const k = v.undecided.replace(/step \d+/g, 'step N').replace(/ \(.*\)/, '');
      why.set(k, (why.get(k) ?? 0) + 1);
    }
  }
  total += judged;
  undecidedTotal += undecided;
  console.log(`${prop.name.slice(0, 60).padEnd(60)} passed ${judged}, undecided ${undecided}, failed ${failed}; clauses judged ${checksUnsettled} (host ${checksHost})${[...why].map(([k, n]) => `\n    ${n}× ${k}`).join('')}`);
}
console.log(`in all: ${undecidedTotal} of ${total} passing traces left partly undecided`);
await target.dispose();
await host.dispose();
