// What the bench runs: suite properties, unchanged except for a pinned variant and, for sockets,
// nonblocking calls, so that every call of a scenario runs inline (no actor threads) and the same
// calls can be replayed from C.
import fc from 'fast-check';
import type { Profile } from '../spec/profile.ts';
import type { PipeVariant, Scenario, Step } from '../spec/scenario.ts';
import type { Family } from '../spec/socket-scenario.ts';
import { dgramSetup } from '../suites/arbitraries/dgram-walk.ts';
import { connectSteps } from '../suites/arbitraries/stream-walk.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import type { Property } from '../suites/property.ts';

/** ipcspec's end-to-end cost per scenario may be at most this many times the raw C cost. */
export const PIPE_GOAL_RATIO = 10;
export const SOCKET_GOAL_RATIO = 5;

export interface Workload {
  /** Short name used in the output: "pipe", "unix-stream", ... */
  key: string;
  label: string;
  group: 'pipes' | 'sockets';
  goal: number;
  /** The suite property with its variant pinned. */
  property: Property;
}

/** The data properties: the first property of each area, as the suite defines it. */
const property = (area: string): Property => {
  const p = PROPERTIES.find((x) => x.area === area);
  if (!p) throw new Error(`no property in area ${area}`);
  return p;
};

const pinned = (prop: Property, variant: string, pin: (sc: Scenario) => Scenario): Property =>
  ({ ...prop, name: `${prop.name} [${variant}]`, scenario: (p: Profile) => prop.scenario(p).map(pin) });

/**
 * Pin the variant of a pipe-walk property. pipe-data's layout consults the variant only for
 * child-write steps, which its menu never generates, so pinning equals filtering (without the
 * 3 in 4 rejections a filter would add to the generation cost).
 */
export function pinVariant(prop: Property, variant: PipeVariant): Property {
  return pinned(prop, variant, (sc) => ({ ...sc, steps: sc.steps.map((s) => (s.op === 'make-pipe' ? { ...s, variant } : s)) }));
}

/** How many setup steps a walk's scenario starts with: a socketpair, or `sockets` for the other variants. */
const setupLength = (steps: Step[], sockets: number): number => (steps[0]?.op === 'socketpair' ? 1 : sockets);

/**
 * Pin a stream-walk scenario to connect/accept over `family`: the walk's setup is replaced by
 * connectSteps(family) with the listener and the connecting socket made O_NONBLOCK, and every recv
 * gets MSG_DONTWAIT. A call that may block runs on an actor thread (the host target cannot know it
 * will not block), which the C loop does not replay; nonblocking, the accept, connect and recvs run
 * inline (the connect has queued the connection before the accept). stream-data's layout consults
 * the variant only for 'reconnect' items, which its menu never generates.
 */
export function pinStream(prop: Property, family: Family): Property {
  const setup = connectSteps(family).map((s) => (s.op === 'socket' ? { ...s, nonblock: true } : s));
  return pinned(prop, `${family}, O_NONBLOCK sockets, recv MSG_DONTWAIT`, (sc) => ({
    ...sc,
    steps: [...setup, ...sc.steps.slice(setupLength(sc.steps, setup.length)).map((s) => (s.op === 'recv' ? { ...s, dontwait: true } : s))],
  }));
}

/**
 * Pin a dgram-walk scenario to a receiver b bound in `family` and a sender a connected to it:
 * as the walk lays out that variant, every send is a's and every recv b's (its socketpair variants
 * also send the other way). The walk's sends and recvs are all MSG_DONTWAIT already.
 */
export function pinDgram(prop: Property, family: Family): Property {
  const setup = dgramSetup(family);
  return pinned(prop, family, (sc) => ({
    ...sc,
    steps: [...setup, ...sc.steps.slice(setupLength(sc.steps, setup.length)).map((s) => (s.op === 'send' ? { ...s, fd: 'a' } : s.op === 'recv' ? { ...s, fd: 'b' } : s))],
  }));
}

export function workloads(only?: 'pipes' | 'sockets'): Workload[] {
  const pipe = property('pipe-data');
  const stream = property('stream-data');
  const dgram = property('dgram-data');
  const all: Workload[] = [
    { key: 'pipe', label: 'pipe2(O_NONBLOCK)', group: 'pipes', goal: PIPE_GOAL_RATIO, property: pinVariant(pipe, 'pipe2-nonblock') },
    { key: 'fifo', label: 'FIFO O_NONBLOCK', group: 'pipes', goal: PIPE_GOAL_RATIO, property: pinVariant(pipe, 'fifo-nonblock') },
    { key: 'unix-stream', label: 'AF_UNIX stream', group: 'sockets', goal: SOCKET_GOAL_RATIO, property: pinStream(stream, 'unix') },
    { key: 'unix-dgram', label: 'AF_UNIX dgram', group: 'sockets', goal: SOCKET_GOAL_RATIO, property: pinDgram(dgram, 'unix') },
    { key: 'tcp', label: 'TCP 127.0.0.1', group: 'sockets', goal: SOCKET_GOAL_RATIO, property: pinStream(stream, 'inet') },
    { key: 'udp', label: 'UDP 127.0.0.1', group: 'sockets', goal: SOCKET_GOAL_RATIO, property: pinDgram(dgram, 'inet') },
  ];
  return only ? all.filter((w) => w.group === only) : all;
}

/** Arbitrary that also remembers every scenario it hands out (cheap: one push per scenario). */
export function recording(arb: fc.Arbitrary<Scenario>, into: Scenario[]): fc.Arbitrary<Scenario> {
  return arb.map((sc) => { into.push(sc); return sc; });
}
