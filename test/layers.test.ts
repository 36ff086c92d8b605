// The layers the folders show (docs/design.md, "Layout"): each folder imports only the folders below it.
// Every relative import, dynamic import and `new URL(..., import.meta.url)` of our own code is checked,
// the way test/catalogue.test.ts checks clause ids: one table, and a failure names the offending line.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Which layers each layer may import, besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  spec: [],
  'reference-model': ['spec'],
  harness: ['spec'],
  suites: ['spec'],
  engine: ['spec', 'reference-model', 'harness', 'suites'],
  reports: ['spec'],
  bench: ['spec', 'reference-model', 'harness', 'suites', 'engine', 'reports'],
  cli: ['spec', 'reference-model', 'harness', 'suites', 'engine', 'reports', 'bench'],
};
const LAYERS = Object.keys(MAY_IMPORT);

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)['"`](\.{1,2}\/[^'"`$]*)['"`]/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : sources(p);
    return /\.(ts|mts|mjs|js)$/.test(name) ? [p] : [];
  });
}

/** Every import that crosses into a layer its own layer may not use, as "file:line: spec (layer -> layer)". */
function layerViolations(root: string): string[] {
  const found: string[] = [];
  for (const layer of LAYERS) {
    for (const file of sources(join(root, layer))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const m of line.matchAll(SPECIFIER)) {
          const target = relative(root, normalize(join(dirname(file), m[1]))).split('/')[0];
          if (target === layer || !LAYERS.includes(target)) continue;
          if (!MAY_IMPORT[layer].includes(target)) found.push(`${relative(root, file)}:${i + 1}: ${m[1]} (${layer} -> ${target})`);
        }
      });
    }
  }
  return found;
}

describe('layers', () => {
  it('every import goes down the table and never across or up', () => {
    expect(layerViolations(ROOT)).toEqual([]);
  });

  it('catches an import against the table, naming the file and line', () => {
    const root = mkdtempSync(join(tmpdir(), 'ipcspec-layers-'));
    try {
      for (const layer of LAYERS) mkdirSync(join(root, layer));
      writeFileSync(join(root, 'engine', 'run.ts'), 'export const run = 1;\n');
      writeFileSync(join(root, 'reports', 'ok.ts'), "import type { Step } from '../spec/scenario.ts';\n");
      writeFileSync(join(root, 'reports', 'bad.ts'), "// renders\nimport { run } from '../engine/run.ts';\n");
      writeFileSync(join(root, 'harness', 'up.ts'), "const m = await import('../cli/main.ts');\n");
      expect(layerViolations(root).sort()).toEqual([
        'harness/up.ts:1: ../cli/main.ts (harness -> cli)',
        'reports/bad.ts:2: ../engine/run.ts (reports -> engine)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('every layer of the design is a folder', () => {
    for (const layer of LAYERS) expect(statSync(join(ROOT, layer)).isDirectory(), layer).toBe(true);
  });
});
