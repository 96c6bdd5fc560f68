import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialLoop } from '../../controller/serve/serial-loop.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('kicks during a round coalesce into exactly one more round; rounds never overlap', async () => {
  const controller = new AbortController();
  const gate = deferred();
  let concurrent = 0;
  let maxConcurrent = 0;
  let calls = 0;
  const loop = new SerialLoop({
    intervalMs: 3_600_000,
    signal: controller.signal,
    onError: (e) => assert.fail(e),
    tick: async () => {
      calls += 1;
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      if (calls === 1) await gate.promise;
      concurrent -= 1;
    },
  });
  loop.kick();
  for (let i = 0; i < 100; i++) loop.kick();
  gate.resolve();
  await loop.idle();
  assert.equal(calls, 2);
  assert.equal(maxConcurrent, 1);
  controller.abort();
  await loop.stopped;
});

test('a failing round is reported and the loop goes on', async () => {
  const controller = new AbortController();
  const errors: string[] = [];
  let calls = 0;
  const loop = new SerialLoop({
    intervalMs: 3_600_000,
    signal: controller.signal,
    onError: (e) => errors.push(e.message),
    tick: () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('GitHub answered 502')) : Promise.resolve();
    },
  });
  loop.kick();
  await loop.idle();
  loop.kick();
  await loop.idle();
  assert.deepEqual(errors, ['GitHub answered 502']);
  assert.equal(loop.rounds, 2);
  controller.abort();
  await loop.stopped;
});

test('abort stops the loop after the round in flight; later kicks do nothing', async () => {
  const controller = new AbortController();
  const gate = deferred();
  let calls = 0;
  const loop = new SerialLoop({
    intervalMs: 3_600_000,
    signal: controller.signal,
    onError: (e) => assert.fail(e),
    tick: async () => {
      calls += 1;
      await gate.promise;
    },
  });
  loop.kick();
  loop.kick();
  controller.abort();
  gate.resolve();
  await loop.stopped;
  loop.kick();
  await loop.idle();
  assert.equal(calls, 1);
});
