import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createRouter } from '../../controller/serve/http-routes.ts';

async function withServer(handler: ReturnType<typeof createRouter>, run: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  }
}

test('routes by method and path; unknown paths and methods are named with what exists', async () => {
  const errors: string[] = [];
  const router = createRouter(
    {
      'GET /api/status': (_req, res) => { res.end('ok'); },
      'POST /webhooks': () => { throw new Error('store is read-only'); },
    },
    (error, route) => errors.push(`${route}: ${error.message}`),
  );
  await withServer(router, async (url) => {
    const ok = await fetch(`${url}/api/status?x=1`);
    assert.equal(await ok.text(), 'ok');
    const missing = await fetch(`${url}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: 'no route /nope; routes: /api/status, /webhooks' });
    const wrong = await fetch(`${url}/webhooks`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    const failing = await fetch(`${url}/webhooks`, { method: 'POST', body: '{}' });
    assert.equal(failing.status, 500);
    assert.deepEqual(await failing.json(), { error: 'store is read-only' });
  });
  assert.deepEqual(errors, ['POST /webhooks: store is read-only']);
});
