// Model state: the abstract objects a trace manipulates. Everything here is plain data, cloned
// before each event so that the checker can try alternative orders of simultaneous completions.
import type { Step } from '../spec/scenario.ts';
import { cloneNet, initialNet, type NetState } from './socket-state.ts';

/** Bytes held in one page slot: `bytes` occupy [offset, offset + bytes.length) of the page. Immutable. */
export interface Page {
  offset: number;
  bytes: Uint8Array;
}

export interface PipeObj {
  id: number;
  kind: 'pipe' | 'fifo';
  readers: number;
  writers: number;
  /** Counts every open for writing (FIFO): a blocked reader-open waits for it to change. */
  wCounter: number;
  rCounter: number;
  pages: Page[];
  /** Ring size in slots (linux); F_SETPIPE_SZ changes it. */
  slots: number;
  /** A child process that drains everything written until EOF (child-read). */
  drainer?: { step: number; received: Uint8Array[] };
  /** Bytes discarded when the last end closed ("any data remaining ... shall be discarded"): they must never come back. */
  discarded?: Uint8Array;
  /** FIFOs: the path mkfifo made it at (a FIFO made there later is another object). */
  path?: string;
}

/** An open file description: what dup shares and what pending calls keep alive. */
export interface Ofd {
  id: number;
  obj: number;
  end: 'r' | 'w';
  nonblock: boolean;
  /** Descriptors + in-flight calls + child copies referring to it; the end closes when it reaches 0. */
  refs: number;
  /** FIFO read ends remember wCounter at open, for POLLHUP; -1 for anonymous pipes. */
  wCounterAtOpen: number;
}

export type FdEntry = { ofd: number } | { closed: true };

export type Pending =
  | { kind: 'read'; step: number; actor: string; ofd: number; size: number; call: Step }
  /** `claimed`: the write already returned nbyte, which only blocked readers draining the pipe can justify.
   *  `returnsPartial`: its descriptor turned O_NONBLOCK while it slept; at its next wakeup it returns what it wrote.
   *  `writtenIfRanFirst`: the last reader freed room and then went away; if the writer ran in between, it wrote this much.
   *  `firstWritten`: what it transferred before it first slept (it holds the pipe lock until then). */
  | { kind: 'write'; step: number; actor: string; ofd: number; total: number; remaining: Uint8Array; written: number; call: Step; claimed?: boolean; returnsPartial?: boolean; writtenIfRanFirst?: number; firstWritten?: number }
  | { kind: 'open'; step: number; actor: string; obj: number; mode: 'read' | 'write'; counterAtStart: number; call: Step; as: string; ofd: number }
  /** `claimed`: the child already exited 0, which only blocked readers draining the pipe can justify. */
  | { kind: 'child-write'; step: number; actor: string; ofd: number; data: Uint8Array; call: Step; claimed?: boolean }
  | { kind: 'child-read'; step: number; actor: string; ofd: number; obj: number; call: Step }
  | { kind: 'opaque'; step: number; actor: string; call: Step }
  /** A recv blocked on a stream socket (`sock`), with MSG_WAITALL or not. */
  | { kind: 'recv'; step: number; actor: string; sock: number; size: number; waitall: boolean; peek?: boolean; call: Step }
  /** A blocking connect (`sock`) asleep because `listener`'s queue was full (linux: AF_UNIX waits for room; TCP's SYN was dropped). */
  | { kind: 'connect'; step: number; actor: string; sock: number; listener: number; call: Step }
  /** A send blocked on a full stream socket (`sock` sends): `remaining` its bytes the peer has not received yet, `written` those it has. */
  | { kind: 'send'; step: number; actor: string; sock: number; total: number; remaining: Uint8Array; written: number; call: Step }
  /** A blocking datagram send (`sock`) asleep because its receiver's queue (`dest`) is full: the datagram enters the queue when it returns. */
  | { kind: 'dgram-send'; step: number; actor: string; sock: number; dest: number; size: number; call: Step };

export interface ModelState {
  nextId: number;
  objects: Map<number, PipeObj>;
  ofds: Map<number, Ofd>;
  fds: Map<string, FdEntry>;
  /** Names in the scenario's temp dir; each names a FIFO object (or one that is gone). */
  names: Map<string, number>;
  pending: Map<number, Pending>;
  /** Calls whose completion the model has derived and now expects the trace to report. */
  due: Map<number, string>;
  /** Sockets and their addresses. */
  net: NetState;
}

export function initialState(): ModelState {
  return { nextId: 1, objects: new Map(), ofds: new Map(), fds: new Map(), names: new Map(), pending: new Map(), due: new Map(), net: initialNet() };
}

export function cloneState(s: ModelState): ModelState {
  const objects = new Map<number, PipeObj>();
  for (const [k, o] of s.objects) objects.set(k, { ...o, pages: o.pages.slice(), drainer: o.drainer && { ...o.drainer, received: o.drainer.received.slice() } });
  const ofds = new Map<number, Ofd>();
  for (const [k, f] of s.ofds) ofds.set(k, { ...f });
  const pending = new Map<number, Pending>();
  for (const [k, p] of s.pending) pending.set(k, { ...p });
  return { nextId: s.nextId, objects, ofds, fds: new Map(s.fds), names: new Map(s.names), pending, due: new Map(s.due), net: cloneNet(s.net) };
}

export const buffered = (o: PipeObj): number => o.pages.reduce((n, p) => n + p.bytes.length, 0);
