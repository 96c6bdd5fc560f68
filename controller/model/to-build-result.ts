import type { BuildResult } from './build-kind.ts';

/** A completed run's conclusion as the queue and the ledger count it (`skipped`: its job never ran, as if cancelled). */
export function toBuildResult(conclusion: string | null): BuildResult {
  if (conclusion === 'success') return 'success';
  if (conclusion === 'cancelled' || conclusion === 'skipped') return 'cancelled';
  return 'failure';
}
