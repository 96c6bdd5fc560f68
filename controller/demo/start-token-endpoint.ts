import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { startTokenIssuer } from '../../test/handoff/issue-tokens.ts';

/** The job's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): a token for the run that asks. */
export async function startTokenEndpoint(issue: Awaited<ReturnType<typeof startTokenIssuer>>['issue']): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://tokens');
    const audience = url.searchParams.get('audience') ?? 'portfarm';
    issue({ audience, claims: { run_id: url.searchParams.get('run_id') ?? '', sha: url.searchParams.get('sha') ?? '' } })
      .then((value) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value })); })
      .catch((error: unknown) => { res.writeHead(500).end(String(error)); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/token`, close: () => new Promise((resolve) => { server.close(() => { resolve(); }); }) };
}
