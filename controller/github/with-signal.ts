type PageRequest = (options: { readonly request?: object }) => Promise<unknown>;

/**
 * A REST method whose every request carries `signal`, for `octokit.paginate`: its iterator sends
 * only method, URL and headers, so a `request: { signal }` in the parameters is dropped and the
 * client's default signal applies. With that default aborted (the controller stopping), a
 * teardown's own bounded listing failed and octokit retried it for 14 s.
 */
export function withSignal<R extends { readonly endpoint: unknown }>(route: R, signal: AbortSignal): R {
  // Octokit's method types are one overloaded call per route; the wrapper only adds `request.signal`.
  const call = route as unknown as PageRequest;
  const wrapped: PageRequest = (options) => call({ ...options, request: { ...options.request, signal } });
  // `endpoint` and `defaults` are own properties of the method: paginate calls `endpoint` for the first URL.
  return Object.assign(wrapped, route);
}
