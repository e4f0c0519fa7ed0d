// Validates sandbox responses against a vendor OpenAPI 3.0 document's component schemas with ajv.
// OpenAPI 3.0 is not JSON Schema: `nullable: true` becomes a `null` alternative, and for specs
// that never declare nullability although the service sends null (dbt Cloud's), optional
// properties may be null too. Required properties stay strict.
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export interface OpenApiValidator {
  /** Throws with ajv's errors when `body` does not match `components.schemas[name]`. */
  assertValid(name: string, body: unknown): void;
}

type Schema = Record<string, any>;

function adapt(node: unknown, optionalMayBeNull: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => adapt(n, optionalMayBeNull));
  if (!node || typeof node !== 'object') return node;
  const src = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'example' || k === 'examples') continue; // vendor examples are not always valid JSON Schema values
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, adapt(s, optionalMayBeNull)])) : adapt(v, optionalMayBeNull);
  }
  if (out.properties && optionalMayBeNull) {
    const required = new Set<string>(out.required ?? []);
    for (const [p, s] of Object.entries(out.properties as Schema)) if (!required.has(p)) out.properties[p] = { anyOf: [s, { type: 'null' }] };
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

export function openApiValidator(specPath: string, opts: { optionalMayBeNull?: boolean } = {}): OpenApiValidator {
  const doc = parseYaml(readFileSync(specPath, 'utf8'), { maxAliasCount: -1 }) as Schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('UUID', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addSchema({ $id: 'spec', components: { schemas: adapt(doc.components.schemas, opts.optionalMayBeNull ?? false) } });
  const compiled = new Map<string, ValidateFunction>();
  return {
    assertValid(name, body) {
      let validate = compiled.get(name);
      if (!validate) {
        validate = ajv.getSchema(`spec#/components/schemas/${name}`);
        if (!validate) throw new Error(`no schema ${name}`);
        compiled.set(name, validate);
      }
      if (!validate(body)) throw new Error(`${name}: ${JSON.stringify(validate.errors?.slice(0, 8), null, 2)}`);
    },
  };
}
