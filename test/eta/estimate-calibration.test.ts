import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibrator, createEstimateCalibration, recordOutcome } from '../../controller/eta/estimate-calibration.ts';
import { pushRate } from '../../controller/eta/push-rate.ts';

const HOUR = 3_600_000;
const range = (at: number, hours: number) => ({ low: at + 0.9 * hours * HOUR, mid: at + hours * HOUR, high: at + 1.1 * hours * HOUR });

test('until enough builds finished, the projection is shown as it is', () => {
  const calibration = createEstimateCalibration();
  for (let i = 0; i < 29; i++) recordOutcome(calibration, 0, 10 * HOUR, 20 * HOUR);
  assert.deepEqual(calibrator(calibration)(0, range(0, 10)), range(0, 10));
});

test('waits that turned out twice as long as projected: a wait of that length is shown twice as long, with the spread seen', () => {
  const calibration = createEstimateCalibration();
  for (let i = 0; i < 100; i++) recordOutcome(calibration, i, i + 10 * HOUR, i + 10 * HOUR * 2 * Math.exp(((i % 10) - 4.5) / 10));
  const shown = calibrator(calibration)(5000, range(5000, 12));
  assert.ok(Math.abs((shown.mid - 5000) / HOUR - 24 * Math.exp(0.05)) < 0.01, String((shown.mid - 5000) / HOUR));
  // The outcomes spread ±0.45 in log: the range is wider than the projection's own ±10 %.
  assert.ok((shown.high - 5000) / (shown.mid - 5000) > 1.3 && (shown.low - 5000) / (shown.mid - 5000) < 0.75, JSON.stringify(shown));
  // A wait of minutes is another matter: no outcome of that length was seen, it is shown as projected.
  assert.deepEqual(calibrator(calibration)(0, range(0, 0.05)), range(0, 0.05));
});

test('the builds of one projection count once: they share its errors', () => {
  const calibration = createEstimateCalibration();
  for (let i = 0; i < 700; i++) recordOutcome(calibration, 0, 10 * HOUR, 20 * HOUR + i);
  assert.equal(calibration.logRatios.flat().length, 1);
  for (let i = 1; i < 40; i++) recordOutcome(calibration, i, i + 10 * HOUR, i + 10 * HOUR);
  // 39 projections that were right and one that was not: the one does not move the estimate.
  assert.equal(calibrator(calibration)(0, range(0, 10)).mid, 10 * HOUR);
});

test('outcomes of no length or projections of nothing are not learnt from', () => {
  const calibration = createEstimateCalibration();
  for (let i = 0; i < 50; i++) {
    recordOutcome(calibration, 100, 100, 5000);
    recordOutcome(calibration, 100, 5000, 50);
  }
  assert.equal(calibration.logRatios.flat().length, 0);
});

test('push rate: pushes in the last day per ms, over the time since the first when that is shorter', () => {
  const now = 10 * 24 * HOUR;
  assert.equal(pushRate([], now), 0);
  assert.equal(pushRate([now - 2 * 24 * HOUR], now), 0, 'older than the window');
  assert.equal(pushRate([now - HOUR], now), 1 / (24 * HOUR), 'a single push says once a day at most');
  assert.equal(pushRate([now - 2 * HOUR, now - HOUR, now], now), 3 / (2 * HOUR));
  assert.equal(pushRate([now + HOUR], now), 0, 'a push after now is not counted');
});
