// The test hosts' preflight, as a process on host a (run under `ip netns exec`): net-ping each
// address given, once to resolve the neighbour (ARP, NDP: not a round trip's time), then COUNT
// timed echo requests each. Prints {"rtts": {ADDR: [ms, ...]}} or {"error": "..."} as one JSON line.
// A process of its own: net-ping's raw socket then belongs to host a from birth, and its event
// handling cannot interfere with the harness's own (seen under vitest: a first echo request that was
// never sent when the session was made in-process).
import { createRequire } from 'node:module';

const DEADLINE_MS = 60_000;
const [count, ...targets] = process.argv.slice(2);
const fail = (message) => {
  process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.exit(1);
};
const deadline = setTimeout(() => fail(`no answer within ${DEADLINE_MS / 1000} s`), DEADLINE_MS);

let ping;
try {
  ping = createRequire(import.meta.url)('net-ping');
} catch (e) {
  fail(`net-ping (raw-socket) could not be loaded: ${String(e.message).split('\n')[0]}`);
}

function pingOnce(session, to) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    session.pingHost(to, (err) => (err ? reject(new Error(`${to} did not answer: ${err.message}`)) : resolve(Number(process.hrtime.bigint() - t0) / 1e6)));
  });
}

const rtts = {};
try {
  for (const to of targets) {
    const session = ping.createSession({ networkProtocol: to.includes(':') ? ping.NetworkProtocol.IPv6 : ping.NetworkProtocol.IPv4, retries: 2, timeout: 2000 });
    session.on('error', (e) => fail(`net-ping's socket failed pinging ${to}: ${e?.message ?? e}`));
    try {
      await pingOnce(session, to);
      rtts[to] = [];
      for (let i = 0; i < Number(count); i++) rtts[to].push(await pingOnce(session, to));
    } finally {
      session.close();
    }
  }
} catch (e) {
  fail(e.message);
}
clearTimeout(deadline);
process.stdout.write(`${JSON.stringify({ rtts })}\n`);
