import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { EventRejections } from '../../controller/github/event-rejections.ts';

function capture(): { readonly lines: Record<string, unknown>[]; readonly log: Logger } {
  const lines: Record<string, unknown>[] = [];
  const log: Logger = pino({ base: null, timestamp: false }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
  return { lines, log };
}

describe('EventRejections', () => {
  it('counts every refusal by reason and logs each (reason, subject) once', async () => {
    const { lines, log } = capture();
    const registry = new Registry();
    const rejections = new EventRejections({ registry, log });
    rejections.reject('run-not-recorded', 'run 7', { runId: 7 });
    rejections.reject('run-not-recorded', 'run 7', { runId: 7 });
    rejections.reject('run-not-recorded', 'run 8', { runId: 8 });
    rejections.reject('foreign-workflow', 'run 7');
    assert.equal(await rejections.count('run-not-recorded'), 3);
    assert.equal(await rejections.count('foreign-workflow'), 1);
    assert.equal(await rejections.count('other'), 0);
    assert.deepEqual(lines.map((l) => [l['reason'], l['subject']]), [['run-not-recorded', 'run 7'], ['run-not-recorded', 'run 8'], ['foreign-workflow', 'run 7']]);
    assert.match(await registry.metrics(), /portfarm_events_rejected_total\{reason="run-not-recorded"\} 3/);
  });

  it('forgets what it logged once its memory is full, so a flood cannot grow it', async () => {
    const { lines, log } = capture();
    const rejections = new EventRejections({ registry: new Registry(), log, maxRemembered: 2 });
    for (const subject of ['a', 'b', 'c', 'a']) rejections.reject('r', subject);
    assert.equal(await rejections.count('r'), 4);
    assert.equal(lines.length, 4);
  });
});
