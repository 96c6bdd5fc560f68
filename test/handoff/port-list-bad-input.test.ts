import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { acceptWatcherList } from '../../controller/handoff/accept-watcher-list.ts';
import { createPortListHandler, type HandoffResponse } from '../../controller/handoff/create-port-list-handler.ts';
import { handoffSettings } from '../../controller/handoff/handoff-settings.ts';
import { createPortListVerifier } from '../../controller/handoff/verify-port-list-request.ts';
import { MAX_LISTED_PORTS } from '../../controller/model/port-list.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { SMALL_GRAPH } from '../queue/queue-helpers.ts';
import { recordHandoffReporting } from './handoff-reporting.ts';
import { REPOSITORY_ID, startTokenIssuer } from './issue-tokens.ts';

const issuer = await startTokenIssuer();
test.after(issuer.close);
const REV = '70b44a41bbbb627007b18ae0551cddb24c009bf2';
const at = new Date('2026-11-26T08:00:00Z');

/** A controller's hand-off over a real queue in SQLite: one watcher on 15_arm64 dispatched as run 1000 (its run id unknown with `loseDispatchAnswer`). */
async function farm(options: { readonly loseDispatchAnswer?: boolean; readonly prNumber?: number } = {}): Promise<{ db: DatabaseSync; gateway: FakeRunGateway; reorder: ReorderService; post: (body: unknown, runId?: string) => Promise<HandoffResponse>; reporting: ReturnType<typeof recordHandoffReporting> }> {
  const db = openStore(':memory:');
  const gateway = new FakeRunGateway();
  const reorder = new ReorderService({ db, platforms: ['15_arm64', '14_x86_64'], gateway, graph: SMALL_GRAPH, idPrefix: 'w' });
  reorder.enqueueWatcher({ platform: '15_arm64', portsRevision: REV, changedPorts: ['curl'], force: false, prNumber: options.prNumber ?? null, now: at });
  // GitHub creates the run, but the answer to the dispatch never arrives: no run id is recorded.
  if (options.loseDispatchAnswer === true) gateway.failNextDispatch = 'after';
  await reorder.pump(at, new AbortController().signal);
  const verify = createPortListVerifier(handoffSettings({ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID }));
  const reporting = recordHandoffReporting();
  const handle = createPortListHandler(verify, (list, watcher) => acceptWatcherList(reorder, list, watcher, at), reporting);
  const post = async (body: unknown, runId = '1000'): Promise<HandoffResponse> =>
    handle({ headers: { authorization: `Bearer ${await issuer.issue({ claims: { run_id: runId } })}` }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { db, gateway, reorder, post, reporting };
}

/** `portfarm_events_rejected_total` by reason: the label an operator alerts on, one per kind of refusal. */
async function rejected(reporting: ReturnType<typeof recordHandoffReporting>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [, reason, count] of (await reporting.metrics()).matchAll(/^portfarm_events_rejected_total\{reason="([^"]*)"\} (\d+)$/gm)) out[reason ?? ''] = Number(count);
  return out;
}

/** Who each refusal was logged against (`subject`), by reason: a verified run by its id, anything else as one unverified caller. */
function subjects(reporting: ReturnType<typeof recordHandoffReporting>): string[] {
  return reporting.lines.filter((l) => typeof l.reason === 'string' && l.msg === `event rejected: ${l.reason}`).map((l) => `${String(l.reason)} ${String(l.subject)}`);
}

function dump(db: DatabaseSync): string {
  return JSON.stringify(db.prepare('select * from queue_entry order by rowid').all());
}

const good = { buildId: 'w-1', platform: '15_arm64', portsRevision: REV, ports: ['zlib', 'curl'], excluded: [] };

test('hand-off: a bad body is refused 400 naming the field and value; the queue and GitHub are untouched', async () => {
  const { db, gateway, post, reporting } = await farm();
  const before = dump(db);
  const calls = gateway.calls.length;
  const cases: [unknown, RegExp][] = [
    ['{"buildId":', /^the body is not JSON/],
    [[], /^the port list is not valid: body: /],
    [{ ...good, ports: 'zlib curl' }, /^the port list is not valid: ports: .*expected array/],
    [{ ...good, ports: ['curl;rm -rf /'] }, /ports\.0: port name "curl;rm -rf \/" contains "\/"/],
    [{ ...good, ports: ['$(id)'] }, /ports\.0: port name "\$\(id\)" is not a MacPorts port name/],
    [{ ...good, ports: ['`reboot`'] }, /ports\.0: port name "`reboot`" is not a MacPorts port name/],
    [{ ...good, ports: ['..'] }, /ports\.0: port name "\.\." contains "\.\."/],
    [{ ...good, ports: ['zlib', '../../etc/passwd'] }, /ports\.1: port name "\.\.\/\.\.\/etc\/passwd" contains "\/"/],
    [{ ...good, excluded: [{ port: 'a b', reason: 'x' }] }, /excluded\.0\.port: port name "a b" contains white space/],
    [{ ...good, buildId: 'W 1' }, /buildId: must be the portfarm build id of the watcher run/],
    [{ ...good, platform: 'macos-15' }, /platform: must be the platform of the run \(its platform input\), e.g\. 15_arm64/],
    [{ ...good, portsRevision: 'HEAD' }, /portsRevision: must be a git commit sha/],
    [{ ...good, extra: 1 }, /Unrecognized key: "extra"/],
    [{ ...good, ports: Array.from({ length: MAX_LISTED_PORTS + 1 }, (_, i) => `p${String(i)}`) }, /ports: lists more than 100,000 ports/],
  ];
  for (const [body, reason] of cases) {
    const answer = await post(body);
    assert.equal(answer.status, 400, answer.body);
    const parsed = JSON.parse(answer.body) as { error: string; retryable: boolean };
    assert.match(parsed.error, reason);
    assert.equal(parsed.retryable, false);
  }
  assert.deepEqual(await rejected(reporting), { 'handoff-bad-list': cases.length });
  // A body that is not JSON is logged apart from the lists that parse but are not port lists;
  // those are logged against the verified run that sent them, never as an unverified caller.
  assert.deepEqual([...new Set(subjects(reporting))].sort(), ['handoff-bad-list run 1000', 'handoff-bad-list unparsed list']);
  assert.equal(dump(db), before, 'queue unchanged');
  assert.equal(gateway.calls.length, calls, 'no dispatch or cancel');
});

test('hand-off: a list for another build, platform or run is refused with 404/409/403 naming both sides; nothing is queued', async () => {
  const { db, gateway, post, reporting } = await farm();
  const before = dump(db);
  const calls = gateway.calls.length;
  const refused = async (body: unknown, runId: string | undefined, status: number, reason: RegExp): Promise<void> => {
    const answer = await post(body, runId);
    assert.equal(answer.status, status, answer.body);
    assert.match((JSON.parse(answer.body) as { error: string }).error, reason);
  };
  await refused({ ...good, buildId: 'w-99' }, undefined, 404, /^build w-99 is unknown to this controller; a watcher hands over the list of the build it was dispatched for/);
  await refused({ ...good, platform: '14_x86_64' }, undefined, 409, /^build w-1 runs on 15_arm64, but the list says platform "14_x86_64"/);
  await refused(good, '4242', 403, /^the token's "run_id" claim is "4242"; expected "1000", the run of build w-1: a run may only hand over the list of its own build/);
  assert.equal(dump(db), before, 'queue unchanged');
  assert.equal(gateway.calls.length, calls, 'no dispatch or cancel');
  // The right run is accepted; a builder's id is then refused: only watchers hand over lists.
  const ok = await post(good);
  assert.equal(ok.status, 202, ok.body);
  const afterAccept = dump(db);
  await refused({ ...good, buildId: 'w-2' }, undefined, 409, /^build w-2 is a builder of zlib, not a watcher/);
  assert.equal(dump(db), afterAccept);
  assert.deepEqual(await rejected(reporting), { 'handoff-unknown-build': 1, 'handoff-wrong-platform': 1, 'handoff-wrong-run': 1, 'handoff-not-a-watcher': 1 });
  assert.deepEqual(subjects(reporting).sort(), ['handoff-not-a-watcher run 1000', 'handoff-unknown-build run 1000', 'handoff-wrong-platform run 1000', 'handoff-wrong-run run 4242']);
  // A refusal of a known build names it for the operator; one naming an unknown build does not pretend to know it.
  const logged = reporting.lines.filter((l) => l.reason === 'handoff-wrong-run');
  assert.deepEqual(logged.map((l) => [l.buildId, l.claim, l.expected, l.status]), [['w-1', 'run_id', '1000', 403]]);
});

test('hand-off: bad, expired and other-repository tokens are refused before the body is looked at; nothing is accepted', async () => {
  const { db, post } = await farm();
  const before = dump(db);
  const verify = createPortListVerifier(handoffSettings({ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID }));
  const reporting = recordHandoffReporting();
  const handle = createPortListHandler(verify, () => assert.fail('nothing is accepted'), reporting);
  const body = JSON.stringify(good);
  const answers = [
    await handle({ headers: { authorization: 'Bearer not.a.jwt' }, body }),
    await handle({ headers: { authorization: `Bearer ${await issuer.issue({ expiresInSeconds: -120 })}` }, body }),
    await handle({ headers: { authorization: `Bearer ${await issuer.issue({ claims: { repository: 'evil/macports-ports' } })}` }, body }),
    await handle({ headers: {}, body }),
    await handle({ headers: {}, body: '{"buildId":' }),
  ];
  assert.deepEqual(answers.map((a) => a.status), [401, 401, 403, 401, 401]);
  assert.deepEqual(await rejected(reporting), { 'handoff-bad-token': 2, 'handoff-foreign-repository': 1, 'handoff-no-token': 2 });
  // Only a token that verified names a run; the rest are one unverified caller, logged once per reason.
  assert.deepEqual(subjects(reporting).sort(), ['handoff-bad-token unverified token', 'handoff-foreign-repository run 9100200300', 'handoff-no-token unverified token']);
  assert.match(answers[1]?.body ?? '', /expired at/);
  assert.match(answers[2]?.body ?? '', /the token's \\"repository\\" claim is \\"evil\/macports-ports\\"; expected \\"macports\/macports-ports\\" \(config github.repo\)/);
  assert.equal((await post(good, '1000')).status, 202, 'the good token still works');
  assert.notEqual(dump(db), before);
});

test('hand-off: a list for a watcher whose dispatch answer was lost (no run recorded yet) is refused 403 "no run yet"; nothing is queued', async () => {
  const { db, reorder, post, reporting } = await farm({ loseDispatchAnswer: true });
  assert.equal(reorder.describeBuild('w-1')?.runId, null);
  const before = dump(db);
  // Run 1000 is the one GitHub created; "null" and "" are what a careless String() comparison would let through.
  for (const runId of ['1000', 'null', '']) {
    const answer = await post(good, runId);
    assert.equal(answer.status, 403, `run_id ${JSON.stringify(runId)}: ${answer.body}`);
    assert.deepEqual(JSON.parse(answer.body), { error: (JSON.parse(answer.body) as { error: string }).error, retryable: false, claim: 'run_id', expected: '(no run yet)' });
    assert.match((JSON.parse(answer.body) as { error: string }).error, /no run yet/);
  }
  assert.deepEqual(await rejected(reporting), { 'handoff-run-not-recorded': 3 });
  assert.equal(dump(db), before, 'nothing queued');
});

test('hand-off: a PR watcher hands over its list like a master watcher; a list for a watcher that already finished is refused 409', async () => {
  const pr = await farm({ prNumber: 12 });
  const accepted = await pr.post(good);
  assert.equal(accepted.status, 202, accepted.body);
  assert.deepEqual(JSON.parse(accepted.body), { builders: 2, ports: 2, excluded: 0 });
  const { reorder, post, db, reporting } = await farm();
  reorder.runFinished('w-1', 'success', at);
  const before = dump(db);
  const late = await post(good);
  assert.equal(late.status, 409, late.body);
  assert.match((JSON.parse(late.body) as { error: string }).error, /no watcher with that id is in flight there/);
  assert.deepEqual(await rejected(reporting), { 'handoff-list-refused': 1 });
  assert.equal(dump(db), before);
});

test('hand-off: a failure inside the queue is not turned into a refusal: it reaches the caller (a 500 there)', async () => {
  const { reorder } = await farm();
  const verify = createPortListVerifier(handoffSettings({ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID }));
  const verified = await verify(`Bearer ${await issuer.issue({ claims: { run_id: '1000' } })}`, good);
  assert.ok(verified.ok);
  const broken = { describeBuild: reorder.describeBuild.bind(reorder), takePortList: () => Promise.reject(new RangeError('database is locked')) };
  await assert.rejects(() => acceptWatcherList(broken, verified.portList, verified.watcher, at), { name: 'RangeError', message: 'database is locked' });
});
