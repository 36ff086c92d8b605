// One name end to end (docs/design.md, principle 1): every clause has its spec entry, a property aimed at
// it, and every clause id the model names exists in the catalogue.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUSES, isClauseId } from '../spec/catalogue.ts';
import { PROPERTIES } from '../suites/properties/index.ts';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('clause catalogue', () => {
  it('has unique, well-formed ids with a title, behaviour, citation and profile', () => {
    const ids = CLAUSES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CLAUSES) {
      expect(c.id).toMatch(/^(pipe|pipeline|fifo|stream|dgram|connect|bind|listen)\.[a-z0-9-]+$/);
      expect(c.title.length).toBeGreaterThan(20);
      expect(c.behaviour.length).toBeGreaterThan(20);
      expect(c.citation.posix ?? c.citation.man).toBeTruthy();
      expect(c.profiles.length).toBeGreaterThan(0);
    }
  });

  it('aims at least one property at every clause', () => {
    const aimed = new Set(PROPERTIES.flatMap((p) => p.clauses));
    expect(CLAUSES.filter((c) => !aimed.has(c.id)).map((c) => c.id)).toEqual([]);
  });

  it('names only catalogue clauses in the model and the properties', () => {
    const unknown = new Set<string>();
    for (const f of [...files('reference-model'), ...files('suites/properties')]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/'((?:pipe|pipeline|fifo|stream|connect|bind|listen)\.[a-z0-9-]+)'/g)) if (!isClauseId(m[1])) unknown.add(`${f}: ${m[1]}`);
    }
    expect([...unknown]).toEqual([]);
  });
});
