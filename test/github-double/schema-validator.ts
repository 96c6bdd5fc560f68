import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { OperationId, WebhookSchemaName } from './used-operations.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface CutParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: unknown;
}

export interface CutOperation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly CutParameter[];
  readonly requestBody: unknown;
  readonly requestBodyRequired: boolean;
  readonly responses: Readonly<Record<string, unknown>>;
}

interface RestCut {
  readonly source: string;
  readonly operations: Readonly<Record<OperationId, CutOperation>>;
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> };
  readonly examples: Readonly<Record<string, unknown>>;
}

interface WebhooksCut {
  readonly source: string;
  readonly webhooks: Readonly<Record<WebhookSchemaName, unknown>>;
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> };
}

/** One thing the schema rejected: where (request, response, webhook), which operation, and ajv's words. */
export interface SchemaViolation {
  readonly where: 'request' | 'response' | 'webhook';
  readonly operation: string;
  readonly problems: readonly string[];
}

export interface SchemaValidator {
  readonly restSource: string;
  readonly webhooksSource: string;
  readonly operations: Readonly<Record<OperationId, CutOperation>>;
  /** Examples of the REST document (`components/examples`), the double's templates for its objects. */
  example(name: string): unknown;
  /** Problems with a request body (and query/path parameters), or [] when the schema accepts it. */
  checkRequest(operation: OperationId, params: Readonly<Record<string, string>>, body: unknown): string[];
  /** Problems with a response: an undocumented status or a body the schema rejects. */
  checkResponse(operation: OperationId, status: number, body: unknown): string[];
  checkWebhook(name: WebhookSchemaName, payload: unknown): string[];
}

function format(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath === '' ? '(body)' : e.instancePath} ${e.message ?? 'is invalid'}${e.params.additionalProperty === undefined ? '' : ` (${String(e.params.additionalProperty)})`}`);
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * Validates requests, responses and webhook payloads against GitHub's own published
 * documents (cut by `cut-openapi.ts`). Validators compile lazily, once per schema.
 */
export function createSchemaValidator(): SchemaValidator {
  const rest = JSON.parse(readFileSync(join(here, 'rest.cut.json'), 'utf8')) as RestCut;
  const hooks = JSON.parse(readFileSync(join(here, 'webhooks.cut.json'), 'utf8')) as WebhooksCut;
  // strict: false because OpenAPI schemas carry keywords JSON Schema lacks (discriminator, x-github…).
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  ajv.addSchema({ $id: 'rest', ...rest }, 'rest');
  ajv.addSchema({ $id: 'webhooks', ...hooks }, 'webhooks');
  const compiled = new Map<string, ValidateFunction>();
  const compile = (ref: string): ValidateFunction => {
    let fn = compiled.get(ref);
    if (fn === undefined) {
      fn = ajv.compile({ $ref: ref });
      compiled.set(ref, fn);
    }
    return fn;
  };
  const opRef = (id: OperationId): string => `rest#/operations/${escapePointer(id)}`;
  return {
    restSource: rest.source,
    webhooksSource: hooks.source,
    operations: rest.operations,
    example(name) {
      const value = rest.examples[name];
      if (value === undefined) throw new Error(`no example ${name} in the cut document`);
      return structuredClone(value);
    },
    checkRequest(operation, params, body) {
      const op = rest.operations[operation];
      const problems: string[] = [];
      op.parameters.forEach((p, i) => {
        const value = params[p.name];
        if (value === undefined) {
          if (p.required) problems.push(`${p.in} parameter ${p.name} is required`);
          return;
        }
        const validate = compile(`${opRef(operation)}/parameters/${i}/schema`);
        const schema = p.schema as { type?: string } | undefined;
        const typed = schema?.type === 'integer' || schema?.type === 'number' ? Number(value) : schema?.type === 'boolean' ? value === 'true' ? true : value === 'false' ? false : value : value;
        if (!validate(typed)) problems.push(...format(validate.errors).map((m) => `${p.in} parameter ${p.name}${m.replace('(body)', '')}`));
      });
      if (op.requestBody === null) return problems;
      if (body === undefined) {
        if (op.requestBodyRequired) problems.push('request body is required');
        return problems;
      }
      const validate = compile(`${opRef(operation)}/requestBody`);
      if (!validate(body)) problems.push(...format(validate.errors));
      return problems;
    },
    checkResponse(operation, status, body) {
      const op = rest.operations[operation];
      const key = String(status);
      if (!(key in op.responses)) return [`status ${status} is not documented for ${operation} (documented: ${Object.keys(op.responses).join(', ')})`];
      if (op.responses[key] === null) return body === undefined ? [] : [`status ${status} of ${operation} has no body, but one was sent`];
      const validate = compile(`${opRef(operation)}/responses/${key}`);
      return validate(body) ? [] : format(validate.errors);
    },
    checkWebhook(name, payload) {
      const validate = compile(`webhooks#/webhooks/${escapePointer(name)}`);
      return validate(payload) ? [] : format(validate.errors);
    },
  };
}
