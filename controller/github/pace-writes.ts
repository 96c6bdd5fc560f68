import type { Octokit } from '@octokit/core';
import type { WriteClass } from './write-limits.ts';
import type { WritePacer } from './write-pacer.ts';

interface RequestOptionsShape {
  readonly method?: string;
  readonly url?: string;
  readonly request?: { readonly signal?: AbortSignal };
}

/** Installation tokens are auth, not writes GitHub limits as content (octokit's throttling plugin skips them too). */
const AUTH = /\/access_tokens$/;

/**
 * Sends a client's writes (every method but GET and HEAD) through the shared write pacer as
 * `writeClass`. Registered before `honourRateLimits`, so a refusal retried inside the request
 * is paced (and counted) again.
 */
export function paceWrites(octokit: Pick<Octokit, 'hook'>, pacer: WritePacer, writeClass: WriteClass): void {
  octokit.hook.wrap('request', async (request, requestOptions) => {
    const shape = requestOptions as RequestOptionsShape;
    const method = (shape.method ?? 'GET').toUpperCase();
    const url = shape.url ?? '?';
    if (method !== 'GET' && method !== 'HEAD' && !AUTH.test(url)) await pacer.acquire({ writeClass, method, endpoint: `${method} ${url}` }, shape.request?.signal);
    return request(requestOptions);
  });
}
