// One name end to end (docs/design.md, principle 1). The compiler sees to it that every id the model, the
// properties and the mutants name is a catalogue id (ClauseId). This test sees to the other direction:
// every catalogue id has its spec entry with a citation, a model rule site, a property and a mutant,
// each found by grepping the layer for the literal id, so one grep of an id finds every line about it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTANT_OF, MUTANTS } from '../harness/mutants/index.ts';
import { CLAUSES, isClauseId, parseClauseId, UnknownClauseId, type ClauseId } from '../spec/catalogue.ts';
import { PROPERTIES } from '../suites/properties/index.ts';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** Each layer's source, file by file. */
const LAYERS = {
  spec: files('spec/clauses'),
  model: files('reference-model'),
  properties: files('suites/properties'),
  mutants: files('harness/mutants'),
} as const;
type Layer = keyof typeof LAYERS;
const text = new Map(Object.values(LAYERS).flat().map((f) => [f, readFileSync(f, 'utf8')]));

/** The files of a layer that write `id` as a literal. */
const sitesOf = (layer: Layer, id: string): string[] => LAYERS[layer].filter((f) => text.get(f)!.includes(`'${id}'`));

/** Ids with no literal site in the layer. */
const missingIn = (layer: Layer): string[] => CLAUSES.map((c) => c.id).filter((id) => sitesOf(layer, id).length === 0);

describe('clause catalogue', () => {
  it('has unique ids, each with a title, behaviour, citation and profile', () => {
    const ids = CLAUSES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CLAUSES) {
      expect(c.id.startsWith(`${c.id.split('.')[0]}.`) && c.id.split('.').length === 2, c.id).toBe(true);
      expect(c.title.length, c.id).toBeGreaterThan(20);
      expect(c.behaviour.length, c.id).toBeGreaterThan(20);
      expect(c.citation.posix ?? c.citation.man, c.id).toBeTruthy();
      expect(c.profiles.length, c.id).toBeGreaterThan(0);
    }
  });

  it('finds every id, as a literal, in its spec entry, a model rule, a property and a mutant', () => {
    for (const layer of Object.keys(LAYERS) as Layer[]) expect(missingIn(layer), `ids with no literal in ${layer}`).toEqual([]);
    // the spec entry is exactly one, in one area file
    for (const c of CLAUSES) expect(sitesOf('spec', c.id), c.id).toHaveLength(1);
  });

  it('has no alias of an id in the model: rule sites write the literal', () => {
    const alias = /const\s+\w+\s*(?::\s*\w+\s*)?=\s*'([a-z]+\.[a-z0-9-]+)'\s*;/g;
    const found = LAYERS.model.flatMap((f) => [...text.get(f)!.matchAll(alias)].filter((m) => isClauseId(m[1])).map((m) => `${f}: ${m[0]}`));
    expect(found).toEqual([]);
  });

  it('names no id outside the catalogue, typed or not, in any layer', () => {
    // Backstop for text the compiler does not type (a comparison, a template): any literal shaped like an
    // id of a catalogue area must be a catalogue id. The areas come from the catalogue, not from a list here.
    const areas = [...new Set(CLAUSES.map((c) => c.id.split('.')[0]))];
    const idLike = new RegExp(`'((?:${areas.join('|')})\\.[a-z0-9-]+)'`, 'g');
    const unknown = [...text].flatMap(([f, src]) => [...src.matchAll(idLike)].filter((m) => !isClauseId(m[1])).map((m) => `${f}: ${m[1]}`));
    expect(unknown).toEqual([]);
    expect(areas).toContain('dgram');
  });

  it('aims at least one property at every clause, and has exactly one mutant per clause', () => {
    const aimed = new Set(PROPERTIES.flatMap((p) => p.clauses));
    expect(CLAUSES.filter((c) => !aimed.has(c.id)).map((c) => c.id)).toEqual([]);
    expect(MUTANTS.map((m) => m.clause).sort()).toEqual(CLAUSES.map((c) => c.id).sort());
    for (const c of CLAUSES) expect(MUTANT_OF[c.id].clause).toBe(c.id);
  });

  it('parses clause ids at the text boundary, naming the nearest id on a misspelling', () => {
    expect(parseClauseId('dgram.zero-length')).toBe('dgram.zero-length');
    expect(() => parseClauseId('dgram.zero-lenght')).toThrow(UnknownClauseId);
    expect(() => parseClauseId('dgram.zero-lenght')).toThrow(/unknown clause id "dgram.zero-lenght" \(did you mean dgram.zero-length\?\)/);
    expect(() => parseClauseId('nothing-like-it')).toThrow(/^unknown clause id "nothing-like-it"; /);
    // A misspelled id does not compile (tsc --noEmit checks this file too).
    // @ts-expect-error 'dgram.zero-lenght' is not a ClauseId
    const misspelled: ClauseId = 'dgram.zero-lenght';
    expect(isClauseId(misspelled)).toBe(false);
  });
});
