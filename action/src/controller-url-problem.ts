/**
 * The hand-off sends the job's OIDC token (a bearer credential for a few minutes) and the port
 * list: over plain http anyone on the path can read the token and replay it, or change the
 * list. Only loopback (the controller on the runner's own host, the demo, tests) may be http.
 */
function isLoopback(hostname: string): boolean {
  // URL normalises 127.1 and 0x7f.1 to dotted decimal and IPv6 hosts to [::1].
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Why `value` may not be the controller URL, or undefined when it may. */
export function controllerUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be the https:// URL of the portfarm controller, e.g. https://farm.example.org (set the PORTFARM_CONTROLLER_URL repository variable)';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  return `must be an https:// URL: over ${url.protocol.replace(/:$/, '')} the job's OIDC token and the port list would cross the network readable and changeable by anyone on the way; set PORTFARM_CONTROLLER_URL to https://${url.host === '' ? 'farm.example.org' : url.host}${url.pathname === '/' ? '' : url.pathname} (plain http is allowed only to loopback: 127.0.0.0/8, [::1], localhost)`;
}
