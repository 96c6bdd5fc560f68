import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyImageCommand } from '../../controller/images/apply-image-command.ts';
import { emptyPlatformImages } from '../../controller/images/image-registry.ts';
import { planImageGc } from '../../controller/images/plan-image-gc.ts';
import { canaryBucket, selectImage } from '../../controller/images/select-image.ts';
import { UserError } from '../../controller/errors/user-error.ts';
import { imageVersion, registered } from './image-fixture.ts';

function userError(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, pattern);
    return true;
  };
}

test('the first image becomes current; later ones wait for a rollout', () => {
  const one = applyImageCommand(emptyPlatformImages('15_arm64'), { kind: 'register', image: imageVersion(1) });
  assert.deepEqual({ current: one.current, canary: one.canary, history: one.history, next: one.nextVersion }, { current: 1, canary: null, history: [], next: 2 });
  const two = applyImageCommand(one, { kind: 'register', image: imageVersion(2) });
  assert.deepEqual({ current: two.current, canary: two.canary, next: two.nextVersion }, { current: 1, canary: null, next: 3 });
  assert.throws(() => applyImageCommand(two, { kind: 'register', image: imageVersion(2) }), userError(/v2 for 15_arm64 is out of sequence; the next version is v3/));
});

test('canary → promote: the canary becomes current and the old current the rollback target', () => {
  const canary = applyImageCommand(registered(2), { kind: 'rollout', version: 2, sharePercent: 10 });
  assert.deepEqual({ current: canary.current, canary: canary.canary, history: canary.history }, { current: 1, canary: { version: 2, sharePercent: 10 }, history: [] });
  const wider = applyImageCommand(canary, { kind: 'rollout', version: 2, sharePercent: 50 });
  assert.deepEqual(wider.canary, { version: 2, sharePercent: 50 });
  const promoted = applyImageCommand(wider, { kind: 'promote' });
  assert.deepEqual({ current: promoted.current, canary: promoted.canary, history: promoted.history }, { current: 2, canary: null, history: [1] });
  const back = applyImageCommand(promoted, { kind: 'rollback' });
  assert.deepEqual({ current: back.current, canary: back.canary, history: back.history }, { current: 1, canary: null, history: [] });
  assert.throws(() => applyImageCommand(back, { kind: 'rollback' }), userError(/15_arm64 has no earlier image to roll back to \(current: v1\)/));
});

test('rollback during a canary drops the canary and leaves current alone', () => {
  const canary = applyImageCommand(registered(2), { kind: 'rollout', version: 2, sharePercent: 10 });
  const back = applyImageCommand(canary, { kind: 'rollback' });
  assert.deepEqual({ current: back.current, canary: back.canary, history: back.history }, { current: 1, canary: null, history: [] });
});

test('share 100 rolls out at once; invalid transitions name what blocks them', () => {
  const three = registered(3);
  const full = applyImageCommand(three, { kind: 'rollout', version: 3, sharePercent: 100 });
  assert.deepEqual({ current: full.current, history: full.history }, { current: 3, history: [1] });
  const canary = applyImageCommand(three, { kind: 'rollout', version: 2, sharePercent: 5 });
  assert.throws(() => applyImageCommand(canary, { kind: 'rollout', version: 3, sharePercent: 5 }), userError(/15_arm64 is canarying v2; promote it or roll it back before rolling out v3/));
  assert.throws(() => applyImageCommand(three, { kind: 'rollout', version: 9, sharePercent: 5 }), userError(/15_arm64 has no image v9; known: v1, v2, v3/));
  assert.throws(() => applyImageCommand(three, { kind: 'rollout', version: 2, sharePercent: 0 }), userError(/share 0 is not a whole percent from 1 to 100/));
  assert.throws(() => applyImageCommand(three, { kind: 'rollout', version: 1, sharePercent: 100 }), userError(/v1 is already current/));
  assert.throws(() => applyImageCommand(three, { kind: 'promote' }), userError(/has no canary to promote/));
  assert.throws(() => applyImageCommand(canary, { kind: 'forget', version: 2 }), userError(/v2 is in rollout/));
});

test('a canary share picks a stable, proportional set of builds; no canary means current for all', () => {
  const state = applyImageCommand(registered(2), { kind: 'rollout', version: 2, sharePercent: 20 });
  const ids = Array.from({ length: 2000 }, (_, i) => `b${i}`);
  const onCanary = ids.filter((id) => selectImage(state, id)?.version === 2);
  // FNV-1a mod 100 over 2000 ids: the share is close to 20 % (exact count pinned: it is deterministic).
  assert.equal(onCanary.length, ids.filter((id) => canaryBucket(id) < 20).length);
  assert.ok(onCanary.length > 340 && onCanary.length < 460, `${onCanary.length} of 2000 on the canary`);
  assert.deepEqual(ids.map((id) => selectImage(state, id)?.version), ids.map((id) => selectImage(state, id)?.version));
  assert.equal(selectImage(state, 'b1')?.image, canaryBucket('b1') < 20 ? '15_arm64-base@v2' : '15_arm64-base@v1');
  assert.equal(selectImage(registered(2), 'anything')?.image, '15_arm64-base@v1');
  assert.equal(selectImage(emptyPlatformImages('15_arm64'), 'b1'), null);
});

test('a VM in flight keeps its image: a rollback after clone does not change what it was given, and GC keeps that image', () => {
  let state = applyImageCommand(registered(2), { kind: 'rollout', version: 2, sharePercent: 100 });
  const inFlight = selectImage(state, 'b7');
  assert.equal(inFlight?.image, '15_arm64-base@v2');
  state = applyImageCommand(state, { kind: 'rollback' });
  assert.equal(selectImage(state, 'b8')?.image, '15_arm64-base@v1');
  const gc = planImageGc(state, new Set([inFlight.image]));
  assert.deepEqual(gc.remove, []);
  assert.deepEqual(gc.keep, [
    { version: 1, reason: 'current' },
    { version: 2, reason: 'in use by a VM' },
  ]);
});

test('GC removes only old, unused versions and keeps current, canary, rollback target and unreleased ones', () => {
  let state = registered(6);
  state = applyImageCommand(state, { kind: 'rollout', version: 2, sharePercent: 100 });
  state = applyImageCommand(state, { kind: 'rollout', version: 4, sharePercent: 100 });
  state = applyImageCommand(state, { kind: 'rollout', version: 5, sharePercent: 10 });
  const gc = planImageGc(state, new Set(['15_arm64-base@v1']));
  assert.deepEqual(gc.remove.map((v) => v.image), ['15_arm64-base@v3']);
  assert.deepEqual(gc.keep, [
    { version: 1, reason: 'in use by a VM' },
    { version: 2, reason: 'rollback target' },
    { version: 4, reason: 'current' },
    { version: 5, reason: 'canary' },
    { version: 6, reason: 'not rolled out yet' },
  ]);
  const forgotten = applyImageCommand(state, { kind: 'forget', version: 3 });
  assert.deepEqual(forgotten.versions.map((v) => v.version), [1, 2, 4, 5, 6]);
  assert.equal(forgotten.nextVersion, 7);
});
