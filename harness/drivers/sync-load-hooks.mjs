// The hook that sync-load.mjs registers (see there).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The "type" of the package a file is in (nearest package.json), as node decides what a .js file is. */
const types = new Map();
function packageType(dir) {
  if (types.has(dir)) return types.get(dir);
  let t;
  try {
    t = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type ?? 'commonjs';
  } catch {
    t = dirname(dir) === dir ? 'commonjs' : packageType(dirname(dir));
  }
  types.set(dir, t);
  return t;
}

function formatOf(path) {
  if (/\.(mjs|mts)$/.test(path)) return 'module';
  if (/\.json$/.test(path)) return 'json';
  if (/\.(js|ts)$/.test(path)) return packageType(dirname(path)) === 'module' ? 'module' : 'commonjs';
  return undefined;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const format = context.format ?? formatOf(path);
  // CommonJS goes its own (synchronous) way: node's require reads it when the source is left out.
  if (format !== 'module' && format !== 'json') return nextLoad(url, context);
  return { format, source: readFileSync(path), shortCircuit: true };
}
