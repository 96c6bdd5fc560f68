import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verdict } from './verdict.ts';

test('a figure just under the target shows the digits that put it under, and is ok', () => {
  assert.equal(verdict(29.96, '<', 30, 's'), '29.96 s (target < 30 s): ok');
  assert.equal(verdict(29.9996, '<', 30, 's'), '29.9996 s (target < 30 s): ok');
});

test('a figure just over the target shows the digits that put it over, and is over', () => {
  assert.equal(verdict(30.04, '<', 30, 's'), '30.04 s (target < 30 s): over');
  assert.equal(verdict(1.004, '<=', 1, '%', 2), '1.004 % (target <= 1 %): over');
});

test('a figure far from the target keeps the minimum decimals', () => {
  assert.equal(verdict(24.6, '<', 30, 's'), '24.6 s (target < 30 s): ok');
  assert.equal(verdict(37.04, '<', 30, 's'), '37.0 s (target < 30 s): over');
  assert.equal(verdict(1612.4, '<', 2000, 'ms', 0), '1612 ms (target < 2000 ms): ok');
  assert.equal(verdict(0.031, '<', 1, 'ms', 3), '0.031 ms (target < 1 ms): ok');
});

test('exactly at the target: over for <, ok for <=', () => {
  assert.equal(verdict(30, '<', 30, 's'), '30.0 s (target < 30 s): over');
  assert.equal(verdict(1, '<=', 1, '%', 2), '1.00 % (target <= 1 %): ok');
});

test('a figure that is not a number is never ok', () => {
  assert.equal(verdict(Number.NaN, '<', 30, 's'), 'NaN s (target < 30 s): over');
});
