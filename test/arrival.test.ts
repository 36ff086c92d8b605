// A wait for what must happen, when it expires, is a verdict (spec/driver-protocol.md, "not-seen"):
// a target that never saw a datagram reach its receiver, the port unreachable come back, TCP bytes or
// a FIN reach the peer, or a handshake reach a listener with room reports the call's own outcome
// with detail.arrival "not-seen". The model fails the clause that promised the arrival where the
// profile promises it, and counts the absence as allowed where it does not (UDP under posix may lose).
// The traces are real ones from the host kernel, with that one fact added to one step, as a port
// whose wait expired would report it.
import { afterAll, describe, expect, it } from 'vitest';
import { HostTarget } from '../harness/host/target.ts';
import { runScenario } from '../engine/run-scenario.ts';
import type { Scenario, Step } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { judge, main, PROFILE_NAMES, unseenAt } from './support/trace.ts';

const recv = (fd: string, size = 100): Step => main({ op: 'recv', fd, size, waitall: false, dontwait: true });

/** Per profile: 'pass', or the failed clause and the step it failed at. */
const verdicts = (sc: Scenario, t: Trace): Record<string, string> =>
  Object.fromEntries(PROFILE_NAMES.map((p) => {
    const v = judge({ scenario: sc, trace: t }, p);
    return [p, v.status === 'fail' ? `${v.violation.clause} at step ${v.violation.step + 1}` : v.status];
  }));

describe.skipIf(process.platform !== 'linux')('an arrival not seen within the long deadline', () => {
  const host = process.platform === 'linux' ? new HostTarget() : undefined;
  afterAll(() => host?.dispose());
  const traced = async (steps: Step[]): Promise<[Scenario, Trace]> => {
    const sc: Scenario = { property: 'arrival', steps };
    const t = await runScenario(host!, sc);
    expect(verdicts(sc, t), 'the real trace conforms').toEqual({ linux: 'pass', posix: 'pass' });
    return [sc, t];
  };

  const udpPair = [
    main({ op: 'socket', family: 'inet', as: 'b', nonblock: false, dgram: true }),
    main({ op: 'bind', fd: 'b', addr: { port: 0 } }),
    main({ op: 'socket', family: 'inet', as: 'a', nonblock: false, dgram: true }),
    main({ op: 'connect', fd: 'a', to: { of: 'b' } }),
  ];

  it('of a UDP datagram: linux fails dgram.zero-length (zero bytes) or dgram.delivery; posix counts it lost, and lets it turn up late', async () => {
    const [sc, t] = await traced([...udpPair, main({ op: 'send', fd: 'a', size: 5 }), main({ op: 'send', fd: 'a', size: 0 }), recv('b'), recv('b'), recv('b')]);
    expect(verdicts(sc, unseenAt(t, 5))).toEqual({ linux: 'dgram.zero-length at step 6', posix: 'pass' });
    expect(verdicts(sc, unseenAt(t, 4))).toEqual({ linux: 'dgram.delivery at step 5', posix: 'pass' });
  });

  it('of the port unreachable for a connected UDP sender: linux fails dgram.connected-udp-refused; posix may never tell', async () => {
    const [sc, t] = await traced([...udpPair, main({ op: 'close', fd: 'b' }), main({ op: 'send', fd: 'a', size: 1 }), recv('a')]);
    expect(verdicts(sc, unseenAt(t, 5))).toEqual({ linux: 'dgram.connected-udp-refused at step 6', posix: 'pass' });
  });

  it('of the port unreachable for an unconnected UDP sender, which is told nothing: allowed', async () => {
    const to = { of: 'b' };
    const steps = [udpPair[0], udpPair[1], udpPair[2], main({ op: 'send', fd: 'a', size: 3, to }), recv('b'), main({ op: 'close', fd: 'b' }), main({ op: 'send', fd: 'a', size: 1, to }), recv('a')];
    const [sc, t] = await traced(steps);
    expect(verdicts(sc, unseenAt(t, 6))).toEqual({ linux: 'pass', posix: 'pass' });
  });

  const tcp = (nonblock: boolean) => [
    main({ op: 'socket', family: 'inet', as: 'l', nonblock: false }),
    main({ op: 'bind', fd: 'l', addr: { port: 0 } }),
    main({ op: 'listen', fd: 'l', backlog: 4 }),
    main({ op: 'socket', family: 'inet', as: 'c', nonblock }),
    main({ op: 'connect', fd: 'c', to: { of: 'l' } }),
  ];
  const connected = [...tcp(false), main({ op: 'accept', fd: 'l', as: 's' })];

  it('of TCP bytes at the peer, a FIN, or a handshake at a listener with room: the clause that promised it fails', async () => {
    const [sc, t] = await traced([...connected, main({ op: 'send', fd: 'c', size: 10 }), recv('s'), main({ op: 'shutdown', fd: 'c', how: 'wr' }), recv('s'), main({ op: 'close', fd: 's' })]);
    const both = (x: string) => ({ linux: x, posix: x });
    expect(verdicts(sc, unseenAt(t, 6))).toEqual(both('stream.order-and-content at step 7'));
    expect(verdicts(sc, unseenAt(t, 8))).toEqual(both('stream.shutdown-write-half-close at step 9'));
    const [sc2, t2] = await traced([...connected, main({ op: 'close', fd: 's' })]);
    expect(verdicts(sc2, unseenAt(t2, 6))).toEqual(both('stream.eof-after-peer-close at step 7'));
    const [sc3, t3] = await traced(tcp(true));
    expect(t3.events.find((e) => e.type === 'call' && e.step === 4)).toMatchObject({ outcome: { kind: 'err', errno: 'EINPROGRESS' } });
    expect(verdicts(sc3, unseenAt(t3, 4))).toEqual(both('listen.backlog-overflow at step 5'));
  });
});
