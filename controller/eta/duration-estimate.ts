/**
 * Where a duration estimate came from, most specific first: the port's own builds on the
 * platform, its builds on another platform (scaled by the platforms' speed ratio), builds of
 * ports with a dependency closure of similar size, every build on the platform, or the
 * watchers' own history.
 */
export type EstimateSource = 'port' | 'port-elsewhere' | 'similar-size' | 'platform' | 'watcher';

/**
 * A run's duration as a log-normal: `median` in ms and `sigma` the spread of its logarithm.
 * Build times are skewed (a few ports take hours), and a log-normal keeps the range honest on
 * both sides: 20th–80th percentile = median × e^(∓0.8416·sigma).
 */
export interface DurationEstimate {
  readonly median: number;
  readonly sigma: number;
  readonly source: EstimateSource;
  /** How many finished runs support it. */
  readonly samples: number;
  /**
   * Doubt (log units) that every estimate from the same pool shares: a median taken from few
   * builds of other ports, or a speed ratio between platforms, is wrong the same way for every
   * port estimated from it, so these doubts add up instead of averaging out over a long queue.
   */
  readonly shared: number;
}

/** z of the 80th percentile of a normal: the range shown is the 20th–80th percentile. */
export const Z80 = 0.8416;
