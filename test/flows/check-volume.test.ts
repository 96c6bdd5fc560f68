import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { CheckRunPublisher } from '../../controller/github/check-run-publisher.ts';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import type { QueueEntry } from '../../controller/queue/core/queue-entry.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { captureLog } from '../github/capture-log.ts';

/** Every buildable MacPorts port and subport (41,548) of the shared data set. */
const ALL_PORTS = (JSON.parse(readFileSync(new URL('../../../shared/data/macports/ports.json', import.meta.url), 'utf8')) as { name: string; subports: string[] }[]).flatMap((p) => [p.name, ...p.subports]);
const PLATFORM = '15_arm64';
const start = Date.UTC(2026, 11, 3, 10, 0);

/** Queue entries as describeBuild gives them: a forced watcher `w` and one builder per listed port on `sha`. */
function fakeQueue(): { describeBuild: (id: string) => Readonly<QueueEntry> | undefined; blockedBuilds: () => []; list: (sha: string, ports: readonly string[], force: boolean) => string[] } {
  const entries = new Map<string, QueueEntry>();
  const entry = (buildId: string, port: string | null, sha: string, force: boolean): QueueEntry => ({
    buildId, platform: PLATFORM, kind: port === null ? 'watcher' : 'builder', port, portsRevision: sha, state: 'dispatched', seq: 1, enqueuedAt: start,
    changedPorts: null, force, prNumber: null, origin: port === null ? null : `w-${sha}`, listIndex: 0, rank: 0, builderClass: force ? 1 : 0, head: false,
    runId: null, lane: null, dispatchedAt: start, startedAt: null, listAccepted: true, cancelRequested: false,
  });
  let n = 0;
  return {
    describeBuild: (id) => entries.get(id),
    // No dependency failed in these tests: nothing is blocked.
    blockedBuilds: () => [],
    list(sha, ports, force) {
      entries.set(`w-${sha}`, entry(`w-${sha}`, null, sha, force));
      return ports.map((port) => {
        n += 1;
        const id = `b-${n}`;
        entries.set(id, entry(id, port, sha, force));
        return id;
      });
    },
  };
}

describe('checks at MacPorts\' scale, published to the GitHub double (GitHub\'s check-suite limits at their real values)', () => {
  let double: GitHubDouble;
  let clients: GitHubClients;
  const signal = new AbortController().signal;
  const { log } = captureLog();

  before(async () => {
    double = await startGitHubDouble({});
    clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner: 'macports', repo: 'macports-ports', writeSpacingMs: 0, log }, signal);
  });
  after(async () => {
    await double.close();
    double.assertNoViolations();
  });

  const onCommit = (sha: string) => double.checkRuns().filter((c) => c.headSha === sha && c.app === 'portfarm');
  const setup = () => {
    let clock = start;
    const queue = fakeQueue();
    const checks = new CheckPublishing({ publisher: new CheckRunPublisher({ clients, log }), reorder: queue, versionOf: () => undefined, now: () => new Date(clock) });
    return { queue, checks, tick: (ms: number) => { clock += ms; }, flush: () => checks.flush(signal) };
  };

  test('a 40-port commit gets 40 checks, one per port', async () => {
    const sha = '1'.repeat(40);
    const { queue, checks, flush } = setup();
    const ports = ALL_PORTS.slice(0, 40);
    const ids = queue.list(sha, ports, false);
    checks.queued({ buildId: `w-${sha}`, portsRevision: sha, platform: PLATFORM, ports });
    for (const id of ids) checks.completed(id, 'success', {});
    await flush();
    assert.equal(onCommit(sha).length, 40);
    assert.deepEqual(onCommit(sha).map((c) => c.name), ports.map((p) => `${p} (${PLATFORM})`));
  });

  test('a forced rebuild of all 41,548 ports: one summary check (updated at most every 3 minutes) and a check per failure, nothing else', async () => {
    const sha = '2'.repeat(40);
    const { queue, checks, flush, tick } = setup();
    const ids = queue.list(sha, ALL_PORTS, true);
    const failing = new Set(ids.filter((_, i) => i % 1_123 === 7));
    assert.equal(failing.size, 37);
    checks.queued({ buildId: `w-${sha}`, portsRevision: sha, platform: PLATFORM, ports: ALL_PORTS });
    await flush();
    assert.deepEqual(onCommit(sha).map((c) => [c.name, c.status, c.output.title]), [[`build summary (${PLATFORM})`, 'queued', `full rebuild on ${PLATFORM}: 0 of 41,548 built, 0 failed`]]);

    const requestsBefore = double.requests.length;
    for (const [i, id] of ids.entries()) {
      checks.started(id, new Date(start));
      checks.completed(id, failing.has(id) ? 'failure' : 'success', failing.has(id) ? { failingPhase: 'install-port', detailsUrl: `https://build.macports.org/builders/ports-${PLATFORM}-builder/builds/${i}` } : {});
      if (i === 12_344) {
        tick(60_000);
        await flush();
        assert.match(onCommit(sha)[0]?.output.title ?? '', /0 of 41,548 built/, 'a minute after the last update the summary waits');
        tick(120_000);
        await flush();
        assert.equal(onCommit(sha)[0]?.output.title, `full rebuild on ${PLATFORM}: 12,334 of 41,548 built, 11 failed`);
      }
    }
    await flush();
    const runs = onCommit(sha);
    assert.equal(runs.length, 1 + 37, 'the summary and the 37 failures');
    const summary = runs[0];
    const failures = runs.slice(1);
    assert.deepEqual([summary?.status, summary?.conclusion, summary?.output.title], ['completed', 'failure', `full rebuild on ${PLATFORM}: 41,511 of 41,548 built, 37 failed`]);
    assert.deepEqual(failures.map((c) => [c.status, c.conclusion]), Array.from({ length: 37 }, () => ['completed', 'failure']));
    const firstFailed = ALL_PORTS[7] ?? '';
    const firstFailure = failures[0];
    assert.ok(firstFailure !== undefined);
    assert.equal(firstFailure.name, `${firstFailed} (${PLATFORM})`);
    assert.equal(firstFailure.detailsUrl, `https://build.macports.org/builders/ports-${PLATFORM}-builder/builds/7`);
    const table = summary?.output.summary ?? '';
    assert.match(table, /\| Port \| Failing phase \| Log \|/);
    assert.equal(table.split('\n').filter((line) => line.includes('| install-port | [log](')).length, 37);
    assert.ok(table.includes(`| ${firstFailed} | install-port | [log](https://build.macports.org/builders/ports-${PLATFORM}-builder/builds/7) |`));
    const summaryUpdates = double.requests.slice(requestsBefore).filter((r) => r.method === 'PATCH').length;
    assert.equal(summaryUpdates, 2, 'one throttled update on the way and the final one');
  });

  test('a commit rebuilt 3 times (a 40-port list, then forced rebuilds) never uses a check name twice', async () => {
    const sha = '3'.repeat(40);
    const { queue, checks, flush } = setup();
    const few = ALL_PORTS.slice(100, 140);
    for (let round = 0; round < 3; round += 1) {
      const ids = queue.list(sha, few, false);
      checks.queued({ buildId: `w-${sha}`, portsRevision: sha, platform: PLATFORM, ports: few });
      for (const id of ids) checks.completed(id, round === 1 ? 'failure' : 'success', {});
      await flush();
      const all = queue.list(sha, ALL_PORTS.slice(0, 200), true);
      checks.queued({ buildId: `w-${sha}`, portsRevision: sha, platform: PLATFORM, ports: ALL_PORTS.slice(0, 200) });
      for (const [i, id] of all.entries()) checks.completed(id, i < 3 ? 'failure' : 'success', {});
      await flush();
    }
    const names = onCommit(sha).map((c) => c.name);
    assert.equal(new Set(names).size, names.length, 'no name twice');
    assert.equal(names.length, 40 + 1 + 3, 'the 40 ports, the summary, the 3 failures of the rebuilds');
  });
});
