import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactError, redactText } from '../../controller/runners/redact-secret.ts';
import { VmBackendError } from '../../controller/runners/backends/vm-backend.ts';

const SECRET = Buffer.from(JSON.stringify({ '.runner': 'x'.repeat(60), '.credentials_rsaparams': 'y'.repeat(120) })).toString('base64');

test('redactText removes the secret and the lines a base64 wrapper (64 or 76 columns) cuts it into', () => {
  assert.equal(redactText(`run.sh --jitconfig ${SECRET}`, SECRET), 'run.sh --jitconfig [redacted]');
  for (const width of [64, 76]) {
    const wrapped = SECRET.match(new RegExp(`.{1,${width}}`, 'g'))?.join('\n') ?? '';
    const out = redactText(wrapped, SECRET);
    for (let at = 0; at + width <= SECRET.length; at += width) assert.equal(out.includes(SECRET.slice(at, at + width)), false, `${width}-column line at ${at}`);
  }
});

test('redactError keeps name, retryable and the cause chain, with every message redacted and nothing else kept', () => {
  const error = new VmBackendError(`exec failed: ${SECRET}`, { retryable: true, vmId: 'portfarm-b1-1-abcd', cause: Object.assign(new Error(`spawn: ${SECRET}`), { stdin: SECRET }) });
  const safe = redactError(error, SECRET);
  assert.equal(safe.name, 'VmBackendError');
  assert.equal((safe as Error & { retryable?: boolean }).retryable, true);
  assert.equal(safe.message, 'exec failed: [redacted]');
  assert.ok(safe.cause instanceof Error);
  assert.equal(safe.cause.message, 'spawn: [redacted]');
  const own = (e: Error): string => JSON.stringify(Object.fromEntries(Object.getOwnPropertyNames(e).map((k) => [k, String((e as unknown as Record<string, unknown>)[k])])));
  assert.equal(`${own(safe)}${own(safe.cause)}`.includes(SECRET.slice(0, 16)), false, 'no property (stdin, vmId, …) carried over');
  assert.equal('stdin' in safe.cause, false);
  assert.equal(`${safe.stack ?? ''}${safe.cause.stack ?? ''}`.includes(SECRET.slice(0, 16)), false);
});
