// A step and its outcome as one line of text (`write(w, 4096 bytes)`, `-1 EAGAIN`): the vocabulary's
// own wording, shared by the reports that draw counterexamples and the engine that names differences.
import type { Step } from './scenario.ts';
import type { SockAddr } from './socket-scenario.ts';
import type { Outcome } from './trace.ts';

const showAddr = (a: SockAddr): string => 'host' in a ? `host ${a.host}'s address, port 0` : ('path' in a ? `"${a.path}"` : 'port' in a ? 'loopback port 0' : 'of' in a ? `name of ${a.of}` : 'pathLength' in a ? `a ${a.pathLength}-byte path` : `abstract "@${a.abstract}"`);

export function describeStep(s: Step): string {
  switch (s.op) {
    case 'make-pipe': return `make ${s.variant} -> read end ${s.read}, write end ${s.write}`;
    case 'write': return `write(${s.fd}, ${s.size} bytes)`;
    case 'writev': return `writev(${s.fd}, [${s.sizes.join(', ')}])`;
    case 'read': return `read(${s.fd}, ${s.size})`;
    case 'readv': return `readv(${s.fd}, [${s.sizes.join(', ')}])`;
    case 'close': return `close(${s.fd})`;
    case 'dup': return `${s.as} = dup(${s.fd})`;
    case 'set-nonblock': return `fcntl(${s.fd}, F_SETFL, ${s.on ? '' : '~'}O_NONBLOCK)`;
    case 'poll': return `poll(${s.fd}, POLLIN|POLLOUT, 0)`;
    case 'get-pipe-size': return `fcntl(${s.fd}, F_GETPIPE_SZ)`;
    case 'set-pipe-size': return `fcntl(${s.fd}, F_SETPIPE_SZ, ${s.size})`;
    case 'mkfifo': return `mkfifo("${s.path}")`;
    case 'open': return `${s.as} = open("${s.path}", O_${s.mode === 'read' ? 'RDONLY' : 'WRONLY'}${s.nonblock ? '|O_NONBLOCK' : ''})`;
    case 'unlink': return `unlink("${s.path}")`;
    case 'stat': return `stat("${s.path}")`;
    case 'child-write': return `child (SIGPIPE ${s.sigpipe}) inherits ${s.fd} and writes ${s.size} bytes`;
    case 'child-read': return `child inherits ${s.fd} and reads to EOF`;
    case 'pipeline': return `${s.producer.kind === 'yes' ? 'yes' : `dd bs=${s.producer.chunk} (${s.producer.size} bytes)`} | ${s.consumer.kind === 'cat' ? 'cat' : `head -n ${s.consumer.lines}`}`;
    case 'concurrent-writes': return `${s.writers} threads each write ${s.records} records of ${s.size} bytes to ${s.fd}; drain ${s.reader}`;
    case 'socketpair': return `socketpair(AF_UNIX, ${s.dgram ? 'SOCK_DGRAM' : 'SOCK_STREAM'}${s.nonblock ? '|SOCK_NONBLOCK' : ''}) -> ${s.a}, ${s.b}`;
    case 'socket': return `${s.as} = socket(AF_${s.family.toUpperCase()}, ${s.dgram ? 'SOCK_DGRAM' : 'SOCK_STREAM'}${s.nonblock ? '|SOCK_NONBLOCK' : ''})${s.host ? ` on host ${s.host}` : ''}`;
    case 'bind': return `bind(${s.fd}, ${showAddr(s.addr)})`;
    case 'listen': return `listen(${s.fd}, ${s.backlog})`;
    case 'connect': return `connect(${s.fd}, ${showAddr(s.to)})`;
    case 'accept': return `${s.as} = accept(${s.fd})`;
    case 'send': return s.to ? `sendto(${s.fd}, ${s.size} bytes, MSG_DONTWAIT|MSG_NOSIGNAL, ${showAddr(s.to)})` : `send(${s.fd}, ${s.size} bytes, ${s.dontwait === false ? '' : 'MSG_DONTWAIT|'}MSG_NOSIGNAL)`;
    case 'recv': return `recv(${s.fd}, ${s.size}, ${[s.waitall && 'MSG_WAITALL', s.dontwait && 'MSG_DONTWAIT', s.peek && 'MSG_PEEK', s.trunc && 'MSG_TRUNC'].filter(Boolean).join('|') || '0'})`;
    case 'shutdown': return `shutdown(${s.fd}, SHUT_${s.how.toUpperCase()})`;
    case 'sockname': return `get${s.peer ? 'peer' : 'sock'}name(${s.fd})`;
    case 'connect-status': return `connected(${s.fd})? poll(POLLOUT, 0) + SO_ERROR`;
    case 'set-buffers': return [s.snd !== undefined && `setsockopt(${s.fd}, SO_SNDBUF, ${s.snd})`, s.rcv !== undefined && `setsockopt(${s.fd}, SO_RCVBUF, ${s.rcv})`].filter(Boolean).join('; ') || `set-buffers(${s.fd}) (no size)`;
    case 'bind-unprivileged': return `child drops to an unprivileged uid; bind(socket(AF_${s.family.toUpperCase()}), loopback port ${s.port})`;
    case 'connect-fill': return `fill: up to ${s.count} nonblocking ${s.as}1.. = socket(AF_${s.family.toUpperCase()}) connect to ${showAddr(s.to)}, until one does not complete`;
    case 'connect-wait': return `wait for ${s.fd} to connect: poll(POLLOUT) up to 30 s + SO_ERROR`;
  }
}

export function describeOutcome(o: Outcome): string {
  const shown = describeResult(o);
  // the target's wait for what must follow the call on the wire expired (spec/trace.ts Detail.arrival)
  return (o.kind === 'ok' || o.kind === 'err') && o.detail?.arrival === 'not-seen' ? `${shown}, never seen to arrive` : shown;
}

function describeResult(o: Outcome): string {
  switch (o.kind) {
    case 'ok': {
      const d = o.detail;
      if (d?.revents) return `revents ${d.revents.join('|') || '0'}`;
      if (d?.producerExit || d?.exit) {
        const e = d.exit ?? d.consumerExit;
        const ex = (x?: { code: number | null; signal: string | null }) => (!x ? '?' : x.signal ? x.signal : `exit ${x.code}`);
        return d.producerExit ? `producer ${ex(d.producerExit)}, consumer ${ex(d.consumerExit)}, ${d.output?.length ?? 0} bytes out` : `${ex(e)}${d.errnoSeen ? ` (${d.errnoSeen})` : ''}${d.output ? `, read ${d.output.length} bytes` : ''}`;
      }
      if (d?.type) return `type ${d.type}, st_size ${d.size}`;
      if (d?.records) return `${d.records.length} bytes drained`;
      if (d?.ranAs) return `${o.value} (name ${d.addr}, as uid ${d.ranAs.euid})`;
      if (d?.addr !== undefined) return `${o.value} (name ${d.addr || '(unnamed)'})`;
      if (d?.msgFlags?.length) return `${o.value} (msg_flags ${d.msgFlags.join('|')})`;
      return `${o.value}`;
    }
    case 'err': return `-1 ${o.errno}${o.detail?.ranAs ? ` (as uid ${o.detail.ranAs.euid})` : ''}`;
    case 'pending': return 'blocks';
    case 'unsupported': return `unsupported: ${o.reason}`;
    case 'error': return `harness error: ${o.message}`;
  }
}
