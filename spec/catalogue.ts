// The clause catalogue: every clause, in report order.
import type { ClauseSpec, ProfileName } from './clause.ts';
import { PIPE_CLAUSES } from './clauses/pipe.ts';
import { PIPELINE_CLAUSES } from './clauses/process.ts';
import { FIFO_CLAUSES } from './clauses/fifo.ts';
import { STREAM_CLAUSES } from './clauses/stream.ts';
import { SOCKET_ADDR_CLAUSES } from './clauses/socket-addr.ts';
import { LISTEN_CLAUSES } from './clauses/listen.ts';
import { DGRAM_CLAUSES } from './clauses/dgram.ts';
import { SEND_BUFFER_CLAUSES } from './clauses/send-buffer.ts';

const ALL = [...PIPE_CLAUSES, ...PIPELINE_CLAUSES, ...FIFO_CLAUSES, ...STREAM_CLAUSES, ...SOCKET_ADDR_CLAUSES, ...LISTEN_CLAUSES, ...DGRAM_CLAUSES, ...SEND_BUFFER_CLAUSES] as const;

/** Every clause id, as a union of literals: a misspelled id anywhere in the model, the properties or the mutants does not compile. */
export type ClauseId = (typeof ALL)[number]['id'];

/**
 * What a violation blames: a clause, or, where no reading of the trace can be followed at all (a
 * completion of a call no explanation left blocked), a marker that is never a clause id.
 */
export type Blame = ClauseId | '(unsettled trace)' | '(model target)';

export interface Clause extends ClauseSpec {
  readonly id: ClauseId;
}

export const CLAUSES: readonly Clause[] = ALL;

const byId = new Map<string, Clause>(CLAUSES.map((c) => [c.id, c]));

export function clause(id: ClauseId): Clause {
  return byId.get(id)!;
}

/** For text from outside the compiler's sight (a saved report, a replay file): narrow it to a ClauseId. */
export const isClauseId = (id: string): id is ClauseId => byId.has(id);

export class UnknownClauseId extends Error {
  constructor(readonly id: string) {
    const near = nearestIds(id);
    super(`unknown clause id "${id}"${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; \`ipcspec clauses\` lists them`);
  }
}

/** The boundary where a clause id arrives as text (mutant:CLAUSE, a command-line argument): the id, or UnknownClauseId saying what is wrong. */
export function parseClauseId(text: string): ClauseId {
  const id = text.trim();
  if (!isClauseId(id)) throw new UnknownClauseId(id);
  return id;
}

/** Up to two ids within a small edit distance of a misspelling, nearest first. */
function nearestIds(id: string): ClauseId[] {
  const scored = CLAUSES.map((c) => ({ id: c.id, d: editDistance(id, c.id) })).filter((x) => x.d <= Math.max(2, Math.floor(id.length / 5)));
  return scored.sort((a, b) => a.d - b.d).slice(0, 2).map((x) => x.id);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Glob over clause ids: `*` matches any run of characters. Comma-separated globs are a union. */
export function matchClauses(globs: string): { clauses: Clause[]; unmatched: string[] } {
  const parts = globs.split(',').map((g) => g.trim()).filter(Boolean);
  const unmatched: string[] = [];
  const hit = new Set<ClauseId>();
  for (const g of parts) {
    const re = new RegExp('^' + g.split('*').map(escape).join('.*') + '$');
    const found = CLAUSES.filter((c) => re.test(c.id) || re.test(c.area));
    if (found.length === 0) unmatched.push(g);
    for (const c of found) hit.add(c.id);
  }
  return { clauses: CLAUSES.filter((c) => hit.has(c.id)), unmatched };
}

export const clausesIn = (profile: ProfileName): Clause[] => CLAUSES.filter((c) => c.profiles.includes(profile));

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
