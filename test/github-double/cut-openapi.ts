/**
 * Cuts GitHub's published OpenAPI documents down to what portfarm uses and writes
 * `rest.cut.json` and `webhooks.cut.json` next to this file (both committed).
 *
 *   npx node test/github-double/cut-openapi.ts
 *
 * Why: the whole api.github.com document takes ~36 s and ~800 MB to load into a validator;
 * the cut takes milliseconds. The REST document is OpenAPI 3.0, whose `nullable: true`
 * (135 schemas say it without a `type`) JSON Schema does not know: every such schema is
 * rewritten to `anyOf: [schema, {type: "null"}]` so ajv accepts the nulls GitHub sends.
 * Parameters and responses given by `$ref` are inlined; only schema `$ref`s remain.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USED_OPERATIONS, USED_WEBHOOKS } from './used-operations.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The version a package.json names, as written there (JSON.stringify put quotes into the cut files' `source`). */
function packageVersion(path: string): string {
  const version = readJson(path).version;
  if (typeof version !== 'string') throw new Error(`${path} has no version string`);
  return version;
}

function readJson(path: string): JsonObject {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Json;
  if (!isObject(parsed)) throw new Error(`${path} is not a JSON object`);
  return parsed;
}

function pointer(doc: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`external $ref ${ref} is not supported`);
  let node: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) || !(key in node)) throw new Error(`$ref ${ref} does not resolve`);
    node = node[key] ?? null;
  }
  return node;
}

/** Follows `$ref`s that point at non-schema components (parameters, responses, examples). */
function deref(doc: JsonObject, node: Json): Json {
  let current = node;
  while (isObject(current) && typeof current.$ref === 'string' && !current.$ref.startsWith('#/components/schemas/')) {
    current = pointer(doc, current.$ref);
  }
  return current;
}

/** Every `#/components/schemas/X` reachable from `node`, transitively. */
function collectSchemaRefs(doc: JsonObject, node: Json, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectSchemaRefs(doc, item, into);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
      const name = value.slice('#/components/schemas/'.length);
      if (!into.has(name)) {
        into.add(name);
        collectSchemaRefs(doc, pointer(doc, value), into);
      }
    } else if (key !== 'examples' && key !== 'example') {
      collectSchemaRefs(doc, value, into);
    }
  }
}

/** OpenAPI 3.0 `nullable: true` → JSON Schema `anyOf: [schema, {type: "null"}]`, everywhere. */
function rewriteNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' || key === 'example' || key === 'examples') continue;
    out[key] = key === 'properties' && isObject(value) ? rewriteProperties(value) : rewriteNullable(value);
  }
  return node.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

function rewriteProperties(properties: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, schema] of Object.entries(properties)) out[name] = rewriteNullable(schema);
  return out;
}

function cutRest(): JsonObject {
  const path = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = readJson(path);
  const version = packageVersion(join(dirname(path), '..', 'package.json'));
  const paths = doc.paths;
  if (!isObject(paths)) throw new Error('no paths');
  const operations: JsonObject = {};
  const schemaNames = new Set<string>();
  const exampleNames = new Set<string>();
  for (const [route, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || typeof op.operationId !== 'string') continue;
      const operationId = op.operationId;
      if (!(USED_OPERATIONS as readonly string[]).includes(operationId)) continue;
      const parameters = (Array.isArray(op.parameters) ? op.parameters : []).map((p) => {
        const param = deref(doc, p);
        if (!isObject(param)) throw new Error(`bad parameter in ${operationId}`);
        return { name: param.name ?? null, in: param.in ?? null, required: param.required ?? false, schema: param.schema ?? {} };
      });
      const body = deref(doc, op.requestBody ?? null);
      const bodyContent = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined;
      const requestBody = isObject(bodyContent) ? (bodyContent.schema ?? null) : null;
      const responses: JsonObject = {};
      for (const [status, raw] of Object.entries(isObject(op.responses) ? op.responses : {})) {
        const response = deref(doc, raw);
        const content = isObject(response) && isObject(response.content) ? response.content : {};
        const json = content['application/json'] ?? content['application/scim+json'];
        responses[status] = isObject(json) ? (json.schema ?? null) : null;
        if (isObject(json) && isObject(json.examples)) {
          for (const ex of Object.values(json.examples)) {
            if (isObject(ex) && typeof ex.$ref === 'string') exampleNames.add(ex.$ref.slice('#/components/examples/'.length));
          }
        }
      }
      const operation: JsonObject = {
        method: method.toUpperCase(),
        path: route,
        parameters,
        requestBody,
        requestBodyRequired: isObject(body) ? (body.required ?? false) : false,
        responses,
      };
      collectSchemaRefs(doc, operation, schemaNames);
      operations[operationId] = operation;
    }
  }
  const missing = USED_OPERATIONS.filter((id) => !(id in operations));
  if (missing.length > 0) throw new Error(`operations not in the document: ${missing.join(', ')}`);
  const components = doc.components;
  if (!isObject(components) || !isObject(components.schemas) || !isObject(components.examples)) throw new Error('no components');
  const schemas: JsonObject = {};
  for (const name of [...schemaNames].sort()) schemas[name] = rewriteNullable(components.schemas[name] ?? null);
  const examples: JsonObject = {};
  for (const name of [...exampleNames].sort()) {
    const ex = components.examples[name];
    if (isObject(ex)) examples[name] = ex.value ?? null;
  }
  const rewrittenOps: JsonObject = {};
  for (const [id, op] of Object.entries(operations)) rewrittenOps[id] = rewriteNullable(op);
  return {
    source: `@octokit/openapi@${version} generated/api.github.com.json`,
    operations: rewrittenOps,
    components: { schemas },
    examples,
  };
}

function cutWebhooks(): JsonObject {
  const path = require.resolve('@octokit/openapi-webhooks/generated/api.github.com.json');
  const doc = readJson(path);
  const version = packageVersion(join(dirname(path), '..', 'package.json'));
  const all = doc.webhooks;
  if (!isObject(all)) throw new Error('no webhooks');
  const webhooks: JsonObject = {};
  const schemaNames = new Set<string>();
  for (const name of USED_WEBHOOKS) {
    const hook = all[name];
    const post = isObject(hook) ? hook.post : undefined;
    const body = isObject(post) ? deref(doc, post.requestBody ?? null) : null;
    const content = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined;
    if (!isObject(content) || content.schema === undefined) throw new Error(`webhook ${name} has no JSON schema`);
    webhooks[name] = content.schema;
    collectSchemaRefs(doc, content.schema, schemaNames);
  }
  const components = doc.components;
  if (!isObject(components) || !isObject(components.schemas)) throw new Error('no components');
  const schemas: JsonObject = {};
  for (const name of [...schemaNames].sort()) schemas[name] = rewriteNullable(components.schemas[name] ?? null);
  const rewritten: JsonObject = {};
  for (const [name, schema] of Object.entries(webhooks)) rewritten[name] = rewriteNullable(schema);
  return { source: `@octokit/openapi-webhooks@${version} generated/api.github.com.json`, webhooks: rewritten, components: { schemas } };
}

const rest = cutRest();
const webhooks = cutWebhooks();
writeFileSync(join(here, 'rest.cut.json'), `${JSON.stringify(rest, null, 1)}\n`);
writeFileSync(join(here, 'webhooks.cut.json'), `${JSON.stringify(webhooks, null, 1)}\n`);
console.log(
  `rest.cut.json: ${Object.keys(isObject(rest.operations) ? rest.operations : {}).length} operations; ` +
    `webhooks.cut.json: ${Object.keys(isObject(webhooks.webhooks) ? webhooks.webhooks : {}).length} webhooks`,
);
