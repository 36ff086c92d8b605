// Candidate outcomes of socket calls for the model-as-target (proposals only: the rules decide).
// Names are invented the way a kernel would hand them out: ephemeral ports from the step index.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { Family, SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { peek } from '../pipe-buffer.ts';
import { buffered, type ModelState, type Pending } from '../state.ts';
import { sourceOf } from '../rules/dgram-checks.ts';

const ok = (value: number, addr?: string, data?: Uint8Array): Outcome => ({ kind: 'ok', value, ...(data ? { data } : {}), ...(addr !== undefined ? { detail: { addr } } : {}) });
const err = (errno: string): Outcome => ({ kind: 'err', errno });
const PENDING: Outcome = { kind: 'pending' };
const ERRORS = ['EBADF', 'EINVAL', 'EADDRINUSE', 'ECONNREFUSED', 'ENOENT', 'EISCONN', 'EAGAIN', 'EPIPE', 'ECONNRESET', 'ENOTCONN'].map(err);

/** Two-host scenarios: the model's own test host addresses (documentation prefixes, RFC 5737 and RFC 3849). */
const testHostName = (f: Family, h: 'a' | 'b', port: number): string => (f === 'inet6' ? `[2001:db8::${h === 'a' ? 1 : 2}]:${port}` : `192.0.2.${h === 'a' ? 1 : 2}:${port}`);
const loopback = (f: Family, port: number): string => (f === 'inet6' ? `[::1]:${port}` : `127.0.0.1:${port}`);

function sockAt(s: ModelState, handle: string) {
  const id = s.net.handles.get(handle);
  return typeof id === 'number' ? s.net.socks.get(id) : undefined;
}

export function socketCandidates(s: ModelState, index: number, step: SocketCall): Outcome[] {
  const fd = 3 + index;
  switch (step.op) {
    case 'socketpair': case 'socket': return [ok(0)];
    case 'listen': case 'shutdown': return [ok(0), ...ERRORS];
    case 'bind': {
      const k = sockAt(s, step.fd);
      const a = step.addr;
      const addr = 'host' in a ? testHostName(k?.family ?? 'inet', a.host, 40000 + index) : 'path' in a ? `unix:${a.path}` : 'of' in a ? sockAt(s, a.of)?.local : 'pathLength' in a ? `unix:/${'x'.repeat(Math.max(0, a.pathLength - 1))}` : 'abstract' in a ? `unix:@${a.abstract}` : loopback(k?.family ?? 'inet', 40000 + index);
      return [ok(0, addr), ...ERRORS];
    }
    case 'bind-unprivileged': {
      // as a child that dropped to uid 65534 would report it
      const detail = { ranAs: { uid: 65534, euid: 65534, netBindService: false } };
      return [{ kind: 'ok', value: 0, detail: { ...detail, addr: loopback(step.family, step.port || 40000 + index) } }, { kind: 'err', errno: 'EACCES', detail }, ...ERRORS];
    }
    case 'connect': {
      const k = sockAt(s, step.fd);
      return [ok(0, k?.family === 'unix' ? 'unix:' : loopback(k?.family ?? 'inet', 50000 + index)), { kind: 'err', errno: 'EINPROGRESS', detail: { addr: loopback(k?.family ?? 'inet', 50000 + index) } }, PENDING, ...ERRORS];
    }
    case 'connect-status': return [ok(1), ok(0), ...ERRORS];
    case 'set-buffers': return [ok(0), ...ERRORS];
    case 'connect-wait': return [ok(1), ok(0), ...ERRORS];
    // every count, largest first: the rules keep the one the queue allows
    case 'connect-fill': return Array.from({ length: step.count + 1 }, (_, i) => ok(step.count - i));
    case 'accept': {
      const t = sockAt(s, step.fd);
      const head = t?.queue[0] === undefined ? undefined : s.net.socks.get(t.queue[0]);
      const client = head?.peer === undefined ? undefined : s.net.socks.get(head.peer);
      return [ok(fd, client?.local), PENDING, ...ERRORS];
    }
    case 'send': return [ok(step.size), err('EMSGSIZE'), ...ERRORS, PENDING];
    case 'recv': {
      const k = sockAt(s, step.fd);
      const head = k?.dgram ? k.unread?.[0] : undefined;
      if (head) {
        const m = Math.min(step.size, head.length);
        // the sender's address (a UDP port chosen at the sender's first sendto is invented from its id)
        const from = k?.senders?.get(head) === undefined ? undefined : s.net.socks.get(k.senders.get(head)!);
        const addr = from ? (sourceOf(from) ?? loopback(from.family, 40000 + from.id)) : undefined;
        const flags = { msgFlags: head.length > step.size ? ['MSG_TRUNC'] : [], ...(addr ? { addr } : {}) };
        return [...new Set([head.length, m])].map((v): Outcome => ({ kind: 'ok', value: v, data: head.subarray(0, m), detail: flags })).concat(err('EAGAIN'), ERRORS);
      }
      const rx = k?.rx === undefined ? undefined : s.objects.get(k.rx);
      const data: Outcome[] = [];
      if (rx) for (const m of new Set([Math.min(step.size, buffered(rx)), 1])) if (m > 0 && m <= buffered(rx)) data.push(ok(m, undefined, peek(rx, m)));
      return [...data, ok(0), err('EAGAIN'), PENDING, ...ERRORS];
    }
    case 'sockname': {
      const k = sockAt(s, step.fd);
      const who = step.peer ? (k?.peer === undefined ? undefined : s.net.socks.get(k.peer)) : k;
      return [ok(0, who?.local ?? (k?.family === 'unix' ? 'unix:' : loopback(k?.family ?? 'inet', 50000 + index))), ...ERRORS];
    }
  }
}

export function recvCompletionCandidates(s: ModelState, p: Extract<Pending, { kind: 'recv' }>): Outcome[] {
  const k = s.net.socks.get(p.sock)!;
  const rx = s.objects.get(k.rx!)!;
  const m = Math.min(p.size, buffered(rx));
  return [...(m > 0 ? [ok(m, undefined, peek(rx, m))] : []), ok(0), err('ECONNRESET')]; // ECONNRESET: woken by a reset (stream.close-unread-resets)
}

/** A blocked connect (listen.full-queue-blocks-unix, listen.dropped-syn-completes-later) returns 0 with its name. */
export function connectCompletionCandidates(s: ModelState, p: Extract<Pending, { kind: 'connect' }>): Outcome[] {
  const k = s.net.socks.get(p.sock)!;
  return [ok(0, k.family === 'unix' ? 'unix:' : loopback(k.family, 50000 + p.step))];
}

void payload; void payloadTag;
