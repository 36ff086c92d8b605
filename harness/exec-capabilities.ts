// Which declared capabilities a step needs (spec/driver-protocol.md, hello): a step the driver did not
// declare is never sent, and is reported unsupported (docs/design.md, principle 7).
import { PIPE_VARIANTS, type Op, type Step } from '../spec/scenario.ts';
import { SOCKET_FAMILIES, type SockAddr } from '../spec/socket-scenario.ts';
import type { DriverHello } from './driver-messages.ts';

export function featuresNeeded(step: Step): string[] {
  const need: string[] = [];
  const addr = (a: SockAddr | undefined) => {
    if (a && 'pathLength' in a) need.push('unix-path-length');
    if (a && 'abstract' in a) need.push('unix-abstract');
  };
  switch (step.op) {
    case 'make-pipe': need.push(`variant:${step.variant}`); break;
    case 'socket': need.push(`family:${step.family}`); if (step.dgram) need.push('dgram'); if (step.host) need.push('test-hosts'); break;
    case 'socketpair': if (step.dgram) need.push('dgram'); break;
    case 'connect-fill': case 'bind-unprivileged': need.push(`family:${step.family}`); break;
    case 'bind': addr(step.addr); break;
    case 'connect': addr(step.to); break;
    case 'send': addr(step.to); break;
    default: break;
  }
  return need;
}

/** What the driver lacks for this step ("op X", "feature Y", "features Y, Z"), or undefined. */
export function missingCapability(hello: DriverHello, step: Step): string | undefined {
  if (!hello.ops.includes(step.op)) return `op ${step.op}`;
  const f = featuresNeeded(step).filter((x) => !hello.features.includes(x));
  return f.length ? `feature${f.length > 1 ? 's' : ''} ${f.join(', ')}` : undefined;
}

/**
 * Why the driver cannot run this step, or undefined if it can: what it lacks, and, where its hello says
 * why (`lacks`), every capability that reason left out, so that a reason met first names them all.
 */
export function whyUnsupported(hello: DriverHello, step: Step): string | undefined {
  const missing = missingCapability(hello, step);
  if (!missing) return undefined;
  const names = hello.ops.includes(step.op) ? featuresNeeded(step).filter((x) => !hello.features.includes(x)) : [step.op];
  const why = (hello.lacks ?? []).filter((l) => names.some((n) => l.ops?.includes(n) || l.features?.includes(n)));
  const said = why.map((l) => `${[...(l.ops ?? []).map((o) => `op ${o}`), ...(l.features ?? [])].join(' and ')} left out: ${l.reason}`);
  return `driver ${hello.driver} does not support ${missing}${said.length ? ` (${said.join('; ')})` : ''}`;
}

/** Every op of the vocabulary (a Record, so that a new op that is not listed here fails to compile). */
const OPS: Record<Op, true> = {
  'make-pipe': true, write: true, writev: true, read: true, readv: true, close: true, dup: true, 'set-nonblock': true, poll: true,
  'get-pipe-size': true, 'set-pipe-size': true, mkfifo: true, open: true, unlink: true, stat: true, 'child-write': true,
  'child-read': true, pipeline: true, 'concurrent-writes': true, socketpair: true, socket: true, bind: true, listen: true,
  connect: true, accept: true, send: true, recv: true, shutdown: true, sockname: true, 'connect-status': true,
  'connect-wait': true, 'connect-fill': true, 'bind-unprivileged': true, 'set-buffers': true,
};
export const ALL_OPS = Object.keys(OPS) as Op[];

/** Every feature featuresNeeded can ask for. */
export const ALL_FEATURES: string[] = [
  ...PIPE_VARIANTS.map((v) => `variant:${v}`), ...SOCKET_FAMILIES.map((f) => `family:${f}`),
  'dgram', 'test-hosts', 'unix-path-length', 'unix-abstract',
];
