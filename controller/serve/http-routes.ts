import type { IncomingMessage, ServerResponse } from 'node:http';
import { coerceError } from '../errors/coerce-error.ts';
import { badTargetMessage, requestUrl } from '../http/request-url.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** `"POST /webhooks"`, `"GET /api/status"`: method and exact path (query strings ignored). */
export type Routes = Readonly<Record<string, RouteHandler>>;

/**
 * The controller's one HTTP entry: exact method + path routing, 404/405 answers that list
 * what exists, and an error boundary that answers 500 and reports the error — a handler's
 * failure is never swallowed into a 200 (probot #907). A target that is not a URL
 * (`GET http://[x/`) is a 400, told to `onBadTarget`.
 */
export function createRouter(routes: Routes, onError: (error: Error, route: string) => void, onBadTarget?: (req: IncomingMessage) => void): RouteHandler {
  const byPath = new Map<string, Map<string, RouteHandler>>();
  for (const [key, handler] of Object.entries(routes)) {
    const [method, path] = key.split(' ');
    if (method === undefined || path === undefined) throw new Error(`route "${key}" must be "<METHOD> <path>"`);
    const methods = byPath.get(path) ?? new Map<string, RouteHandler>();
    methods.set(method, handler);
    byPath.set(path, methods);
  }
  return async (req, res) => {
    const url = requestUrl(req, 'http://controller');
    if (url === null) {
      onBadTarget?.(req);
      answer(res, 400, { error: badTargetMessage(req) });
      return;
    }
    const path = url.pathname;
    const methods = byPath.get(path);
    if (methods === undefined) {
      answer(res, 404, { error: `no route ${path}; routes: ${[...byPath.keys()].sort().join(', ')}` });
      return;
    }
    const handler = methods.get(req.method ?? 'GET');
    if (handler === undefined) {
      res.setHeader('allow', [...methods.keys()].join(', '));
      answer(res, 405, { error: `${req.method ?? '?'} is not allowed on ${path}; use ${[...methods.keys()].join(' or ')}` });
      return;
    }
    try {
      await handler(req, res);
    } catch (caught) {
      const error = coerceError(caught);
      onError(error, `${req.method ?? '?'} ${path}`);
      if (!res.headersSent) answer(res, 500, { error: error.message });
      else res.destroy(error);
    }
  };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify(body)}\n`);
}
