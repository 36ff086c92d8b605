// Every JSON Schema under spec/schemas/, compiled once with ajv (draft 2020-12, strict mode, formats):
// a schema that does not compile throws here, so a test that loads them fails. (strictRequired is
// off: an `if: {required: [...]}` names a property that the enclosing schema defines, not the `if`.)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export const SCHEMA_DIR = join(import.meta.dirname, '..', '..', 'spec', 'schemas');

/** Every *.schema.json file, by file name: the ones this checkout ships and any added later (expectations, ...). */
export const SCHEMA_FILES = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort();

const addFormats = addFormatsModule as unknown as (a: Ajv2020) => Ajv2020;

export function compileAll(): { ajv: Ajv2020; validators: Map<string, ValidateFunction> } {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  const schemas = SCHEMA_FILES.map((f) => ({ f, s: JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as { $id?: string } }));
  for (const { f, s } of schemas) {
    if (!s.$id?.endsWith(`/${f}`)) throw new Error(`${f}: $id must end with /${f} (got ${s.$id})`);
    ajv.addSchema(s);
  }
  const validators = new Map<string, ValidateFunction>();
  for (const { f, s } of schemas) validators.set(f, ajv.getSchema(s.$id!)!);
  return { ajv, validators };
}

/** ajv's errors as lines ("/results/0/status must be equal to one of the allowed values"), or [] when valid. */
export function problems(v: ValidateFunction, data: unknown): string[] {
  return v(data) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}
