// The clause catalogue: every clause, in report order.
import type { Clause, ProfileName } from './clause.ts';
import { PIPE_CLAUSES } from './clauses/pipe.ts';
import { PIPELINE_CLAUSES } from './clauses/process.ts';
import { FIFO_CLAUSES } from './clauses/fifo.ts';
import { STREAM_CLAUSES } from './clauses/stream.ts';
import { SOCKET_ADDR_CLAUSES } from './clauses/socket-addr.ts';
import { LISTEN_CLAUSES } from './clauses/listen.ts';
import { DGRAM_CLAUSES } from './clauses/dgram.ts';
import { SEND_BUFFER_CLAUSES } from './clauses/send-buffer.ts';

export const CLAUSES: readonly Clause[] = [...PIPE_CLAUSES, ...PIPELINE_CLAUSES, ...FIFO_CLAUSES, ...STREAM_CLAUSES, ...SOCKET_ADDR_CLAUSES, ...LISTEN_CLAUSES, ...DGRAM_CLAUSES, ...SEND_BUFFER_CLAUSES];

const byId = new Map(CLAUSES.map((c) => [c.id, c]));

export function clause(id: string): Clause {
  const c = byId.get(id);
  if (!c) throw new Error(`unknown clause id: ${id}`);
  return c;
}

export const isClauseId = (id: string): boolean => byId.has(id);

/** Glob over clause ids: `*` matches any run of characters. Comma-separated globs are a union. */
export function matchClauses(globs: string): { clauses: Clause[]; unmatched: string[] } {
  const parts = globs.split(',').map((g) => g.trim()).filter(Boolean);
  const unmatched: string[] = [];
  const hit = new Set<string>();
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
