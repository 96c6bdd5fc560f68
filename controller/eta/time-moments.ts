import { Z80, type DurationEstimate } from './duration-estimate.ts';

/**
 * A span of time as its mean and variance (ms, ms²). Durations of runs in a row add up: their
 * means add, and so do their variances (builds of different ports vary independently).
 */
export interface TimeMoments {
  readonly mean: number;
  /** Of the independent part. */
  readonly variance: number;
  /** Standard deviation of the part shared between runs (ms): it adds up linearly (see DurationEstimate.shared). */
  readonly shared: number;
}

export const ZERO: TimeMoments = { mean: 0, variance: 0, shared: 0 };

/** Mean and variance of a log-normal duration. */
export function momentsOf(estimate: DurationEstimate): TimeMoments {
  const s2 = estimate.sigma ** 2;
  const mean = estimate.median * Math.exp(s2 / 2);
  return { mean, variance: mean * mean * Math.expm1(s2), shared: mean * Math.sqrt(Math.expm1(estimate.shared ** 2)) };
}

export function add(a: TimeMoments, b: TimeMoments): TimeMoments {
  return { mean: a.mean + b.mean, variance: a.variance + b.variance, shared: a.shared + b.shared };
}

/** A range of times (ms since the epoch): the 20th percentile, the median, the 80th percentile. */
export interface EtaRange {
  readonly low: number;
  readonly mid: number;
  readonly high: number;
}

/**
 * `from` + a span with these moments, as a range: the sum of skewed durations is fitted with a
 * log-normal of the same mean and variance (Fenton–Wilkinson), which stays skewed for one long
 * build and narrows towards a normal for many.
 */
export function toRange(from: number, span: TimeMoments): EtaRange {
  if (span.mean <= 0) return { low: from, mid: from, high: from };
  const s2 = Math.log1p((span.variance + span.shared * span.shared) / (span.mean * span.mean));
  const s = Math.sqrt(s2);
  const mu = Math.log(span.mean) - s2 / 2;
  return { low: from + Math.exp(mu - Z80 * s), mid: from + Math.exp(mu), high: from + Math.exp(mu + Z80 * s) };
}
