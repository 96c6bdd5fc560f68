import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestSlots } from '../../controller/github/request-slots.ts';

test('at most N requests in flight; a freed slot goes to the oldest waiter', async () => {
  const slots = new RequestSlots(2);
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const send = (name: string): Promise<string> => slots.run(() => new Promise<string>((resolve) => { started.push(name); finish.set(name, () => { resolve(name); }); }));
  const all = ['a', 'b', 'c', 'd'].map(send);
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(slots.inFlight, 2);
  finish.get('b')?.();
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  assert.deepEqual(started, ['a', 'b', 'c']);
  finish.get('a')?.();
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  finish.get('c')?.();
  await new Promise<void>((resolve) => { setImmediate(resolve); });
  finish.get('d')?.();
  assert.deepEqual(await Promise.all(all), ['a', 'b', 'c', 'd']);
  assert.equal(slots.inFlight, 0);
});

test('a waiter whose signal aborts leaves the queue; more than GitHub\'s 100 is refused', async () => {
  const slots = new RequestSlots(1);
  let release = (): void => undefined;
  const first = slots.run(() => new Promise<void>((resolve) => { release = resolve; }));
  const stop = new AbortController();
  const waiting = slots.run(() => Promise.resolve('never'), stop.signal);
  stop.abort(new Error('stopped'));
  await assert.rejects(waiting, /stopped/);
  release();
  await first;
  assert.equal(slots.inFlight, 0);
  assert.equal(await slots.run(() => Promise.resolve('next')), 'next');
  assert.throws(() => new RequestSlots(101), /request slots 101 must be a whole number from 1 to 100/);
});
