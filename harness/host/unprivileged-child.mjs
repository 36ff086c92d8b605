// A child process that binds one loopback port as an unprivileged user. Started as root by the
// harness (node harness/host/unprivileged-child.mjs FAMILY PORT UID): it loads the bindings first
// (the modules may not be readable to the dropped user), drops every privilege (supplementary
// groups, gid, uid: setuid from root clears the capabilities), and only then makes the socket and
// binds. It prints one JSON line: the errno (or the bound name) and the credentials the bind ran
// with, read from /proc/self/status, so that a bind that kept its privilege can never pass.
import { readFileSync } from 'node:fs';
import { AF, net } from './libc-net.mjs';

const [family, portArg, uidArg] = process.argv.slice(2);
const port = Number(portArg);
const uid = Number(uidArg);
const say = (x) => process.stdout.write(`${JSON.stringify(x)}\n`);

/** Real and effective uid, and whether CAP_NET_BIND_SERVICE (bit 10) is in the effective set. */
function credentials() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const [ruid, euid] = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status).slice(1).map(Number);
  const capEff = BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(status)[1]}`);
  return { uid: ruid, euid, netBindService: (capEff & (1n << 10n)) !== 0n };
}

try {
  if (process.getuid() === 0) {
    process.setgroups([]);
    process.setgid(uid);
    process.setuid(uid);
  }
  const ranAs = credentials();
  const fam = family === 'inet6' ? AF.INET6 : AF.INET;
  const s = net.socket(fam, false);
  if (s.errno) { say({ error: `socket: ${s.errno}` }); process.exit(0); }
  const r = net.bind(s.value, family === 'inet6' ? `[::1]:${port}` : `127.0.0.1:${port}`);
  const name = r.errno ? undefined : net.getsockname(s.value).addr;
  say({ errno: r.errno, addr: name, ranAs });
} catch (e) {
  say({ error: String(e?.message ?? e) });
}
