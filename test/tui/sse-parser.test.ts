import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../../controller/tui/sse-parser.ts';

test('events split anywhere across chunks come out whole, once', () => {
  const parser = new SseParser();
  const text = 'retry: 2000\n\nevent: status\ndata: {"a":1}\n\n: keep-alive\n\nevent: status\ndata: {"a":2}\n\n';
  const events = Array.from(text).flatMap((c) => parser.feed(c));
  assert.deepEqual(events, [
    { event: 'status', data: '{"a":1}' },
    { event: 'status', data: '{"a":2}' },
  ]);
});

test('CRLF and CR line ends, multi-line data, and a default event type', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.feed('data: one\r\ndata:two\r\n\r\nevent: status\rdata: x\r'), [{ event: 'message', data: 'one\ntwo' }]);
  assert.deepEqual(parser.feed('\n'), []);
  assert.deepEqual(parser.feed('\r\n'), [{ event: 'status', data: 'x' }]);
});

test('an event without data is not dispatched, and its type does not leak into the next', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.feed('event: status\n\ndata: plain\n\n'), [{ event: 'message', data: 'plain' }]);
});
