import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSlotTable, occupySlot, releaseSlot, requestSlot, tryTakeSlot, type SlotTable } from '../../controller/runners/slot-table.ts';

const hosts = [
  { name: 'mini-1', maxVms: 2, platforms: ['15_arm64', '14_arm64'] },
  { name: 'mini-2', maxVms: 1, platforms: ['15_arm64'] },
];

function request(table: SlotTable, ticket: string, platform: string): { table: SlotTable; got: string } {
  const result = requestSlot(table, ticket, platform);
  return { table: result.table, got: result.grant === undefined ? 'wait' : `${result.grant.host}#${result.grant.index}` };
}

test('slots spread over hosts, one cap per host shared by its platforms, then FIFO waiting', () => {
  let table = createSlotTable(hosts);
  const got: string[] = [];
  for (const [ticket, platform] of [['a', '15_arm64'], ['b', '15_arm64'], ['c', '14_arm64'], ['d', '14_arm64'], ['e', '15_arm64']] as const) {
    const r = request(table, ticket, platform);
    table = r.table;
    got.push(`${ticket}:${r.got}`);
  }
  assert.deepEqual(got, ['a:mini-1#0', 'b:mini-2#0', 'c:mini-1#1', 'd:wait', 'e:wait']);
  // mini-2 frees: d (14_arm64) cannot use it, so e takes it although d waited longer.
  let released = releaseSlot(table, 'b');
  assert.deepEqual(released.grants.map((g) => `${g.ticket}:${g.host}#${g.index}`), ['e:mini-2#0']);
  // mini-1 frees: the oldest waiter that fits (d) gets it.
  released = releaseSlot(released.table, 'a');
  assert.deepEqual(released.grants.map((g) => `${g.ticket}:${g.host}#${g.index}`), ['d:mini-1#0']);
  assert.deepEqual(released.table.waiting, []);
});

test('a ticket is granted once; release is idempotent; unknown platforms are refused with the known ones', () => {
  let table = createSlotTable(hosts);
  table = requestSlot(table, 'a', '15_arm64').table;
  assert.equal(requestSlot(table, 'a', '15_arm64').table, table);
  table = releaseSlot(table, 'a').table;
  assert.deepEqual(releaseSlot(table, 'a').grants, []);
  assert.throws(() => requestSlot(table, 'z', '10.15_x86_64'), /^Error: platform "10.15_x86_64" has no host; known platforms: 15_arm64, 14_arm64$/);
});

test('warm starts take a free slot only when nobody of that platform waits', () => {
  let table = createSlotTable([{ name: 'mini-1', maxVms: 2, platforms: ['15_arm64'] }]);
  const warm = tryTakeSlot(table, 'w1', '15_arm64');
  assert.equal(warm.grant?.index, 0);
  table = requestSlot(warm.table, 'a', '15_arm64').table;
  assert.equal(tryTakeSlot(table, 'w2', '15_arm64').grant, undefined);
  table = requestSlot(table, 'b', '15_arm64').table;
  table = releaseSlot(table, 'a').table;
  assert.equal(tryTakeSlot(table, 'w3', '15_arm64').grant, undefined, 'b holds the freed slot');
  assert.equal(occupySlot(table, 'adopted', '15_arm64', 'mini-1').held.length, 3, 'an adopted VM is recorded even past the cap');
});

test('PR builds hold at most maxVms − 1 slots of a host (at least 1): a master build never waits behind PR builds', () => {
  // Two 2-VM hosts and one 1-VM host serving 15_arm64.
  let table = createSlotTable([
    { name: 'mini-1', maxVms: 2, platforms: ['15_arm64'] },
    { name: 'mini-2', maxVms: 2, platforms: ['15_arm64'] },
    { name: 'mini-3', maxVms: 1, platforms: ['15_arm64'] },
  ]);
  const got: string[] = [];
  for (const ticket of ['pr-1', 'pr-2', 'pr-3', 'pr-4']) {
    const result = requestSlot(table, ticket, '15_arm64', 'pr');
    table = result.table;
    got.push(`${ticket}:${result.grant === undefined ? 'wait' : `${result.grant.host}#${result.grant.index}`}`);
  }
  // One PR VM per 2-VM host, and the 1-VM host's only slot (else PRs could never build there).
  assert.deepEqual(got, ['pr-1:mini-1#0', 'pr-2:mini-2#0', 'pr-3:mini-3#0', 'pr-4:wait']);
  // A master build arriving after them gets a slot at once; so does the next.
  const master = requestSlot(table, 'm-1', '15_arm64');
  table = master.table;
  assert.deepEqual([master.grant?.host, master.grant?.slotClass], ['mini-1', undefined]);
  const second = requestSlot(table, 'm-2', '15_arm64');
  table = second.table;
  assert.equal(second.grant?.host, 'mini-2');
  // A third master waits with the fourth PR; when a PR frees its slot, the waiting PR gets its
  // share back there, and a freed master slot goes FIFO to the oldest waiter that may use it.
  table = requestSlot(table, 'm-3', '15_arm64').table;
  let released = releaseSlot(table, 'pr-1');
  assert.deepEqual(released.grants.map((g) => `${g.ticket}:${g.host}`), ['pr-4:mini-1']);
  released = releaseSlot(released.table, 'm-2');
  assert.deepEqual(released.grants.map((g) => `${g.ticket}:${g.host}`), ['m-3:mini-2']);
  // An adopted PR VM (after a restart) counts against the PR share too.
  const adopted = occupySlot(createSlotTable([{ name: 'mini-1', maxVms: 2, platforms: ['15_arm64'] }]), 'pr-9', '15_arm64', 'mini-1', 'pr');
  assert.equal(requestSlot(adopted, 'pr-10', '15_arm64', 'pr').grant, undefined);
  assert.equal(requestSlot(adopted, 'm-9', '15_arm64').grant?.host, 'mini-1');
});

test('one pull request run holds at most prVmsPerRun PR slots across the farm, and a freed PR slot goes to the run served longest ago', () => {
  // Two 4-VM hosts: a PR share of 3 each, 6 in all; each run may hold 2.
  let table = createSlotTable([
    { name: 'mini-1', maxVms: 4, platforms: ['15_arm64'] },
    { name: 'mini-2', maxVms: 4, platforms: ['15_arm64'] },
  ], { prVmsPerRun: 2 });
  const granted: string[] = [];
  for (let job = 0; job < 5; job += 1) {
    const result = requestSlot(table, `pr-100-1-j${job}`, '15_arm64', 'pr');
    table = result.table;
    if (result.grant !== undefined) granted.push(result.grant.ticket);
  }
  assert.deepEqual(granted, ['pr-100-1-j0', 'pr-100-1-j1'], 'the big run gets its cap, not the whole PR share');
  // Another PR's run is not behind the big run's waiters: free PR slots are there.
  const other = requestSlot(table, 'pr-200-1-j0', '15_arm64', 'pr');
  table = other.table;
  assert.equal(other.grant?.ticket, 'pr-200-1-j0');
  // A re-run (attempt 2) of the big run is the same run: capped with it.
  assert.equal(requestSlot(table, 'pr-100-2-j9', '15_arm64', 'pr').grant, undefined);
});

test('with the PR share full, a freed slot goes to a waiting run that was never served before the big run gets its next job', () => {
  // One 2-VM host: a PR share of 1, so the cap never binds and only the turn order decides.
  let table = createSlotTable([{ name: 'mini-1', maxVms: 2, platforms: ['15_arm64'] }], { prVmsPerRun: 2 });
  for (let job = 0; job < 50; job += 1) table = requestSlot(table, `pr-100-1-j${job}`, '15_arm64', 'pr').table;
  table = requestSlot(table, 'pr-200-1-j0', '15_arm64', 'pr').table;
  table = requestSlot(table, 'pr-300-1-j0', '15_arm64', 'pr').table;
  assert.deepEqual(table.held.map((g) => g.ticket), ['pr-100-1-j0']);
  let released = releaseSlot(table, 'pr-100-1-j0');
  assert.deepEqual(released.grants.map((g) => g.ticket), ['pr-200-1-j0'], 'FIFO would have given it to pr-100-1-j1');
  released = releaseSlot(released.table, 'pr-200-1-j0');
  assert.deepEqual(released.grants.map((g) => g.ticket), ['pr-300-1-j0']);
  released = releaseSlot(released.table, 'pr-300-1-j0');
  assert.deepEqual(released.grants.map((g) => g.ticket), ['pr-100-1-j1'], 'then the big run again, in its own FIFO order');
  // A master build waiting meanwhile keeps its place: the master slot is its own.
  const master = requestSlot(released.table, 'm-1', '15_arm64');
  assert.equal(master.grant?.host, 'mini-1');
});
