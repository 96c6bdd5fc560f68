import type { PortsGraph } from '../../controller/ports/ports-graph.ts';
import type { SimCommit } from '../../controller/sim/load-commits.ts';
import { simulate } from '../../controller/sim/simulate.ts';
import type { EtaErrorFigures } from '../../controller/sim/simulation-result.ts';
import { verdict } from './verdict.ts';

/**
 * The ETA's accuracy on the scheduler bench's commits (issue #19): steady (commits only), two
 * platforms, build durations varying per build, portfarm policy. Prints the figures against
 * the targets and returns them.
 */
export function reportEtaAccuracy(graph: PortsGraph, commits: readonly SimCommit[], out: (line?: string) => void): { etaError: EtaErrorFigures | null; etaErrorAtDispatch: EtaErrorFigures | null; wallMs: number } {
  const start = performance.now();
  const r = simulate({ graph, commits, policy: 'portfarm', platforms: 2, seed: 1, fullRebuildAt: null, clock: () => performance.now() });
  const wallMs = performance.now() - start;
  out(`ETA accuracy (commits only, 2 platforms, durations varying per build, portfarm; simulation ${(wallMs / 1000).toFixed(1)} s):`);
  const list = r.etaError;
  const dispatch = r.etaErrorAtDispatch;
  if (list === null || dispatch === null) {
    out('  no ETA measured (policy without an ETA)');
    return { etaError: list, etaErrorAtDispatch: dispatch, wallMs };
  }
  out(`  at list accepted: n ${verdict(list.n, '<', Infinity, 'builds', 0).split(' (')[0] ?? ''} (target >= 1000: ${list.n >= 1000 ? 'ok' : 'under'}), unknown ${String(list.unknown)}`);
  out(`    p50 ${verdict(list.p50, '<=', 0.25, '', 3)}`);
  out(`    p90 ${verdict(list.p90, '<=', 1, '', 3)}`);
  out(`    20th–80th percentile range held the actual finish: ${(list.coverage * 100).toFixed(1)} % (target >= 60 %: ${list.coverage >= 0.6 ? 'ok' : 'under'})`);
  out(`  at dispatch: n ${String(dispatch.n)}, p50 ${String(dispatch.p50)}, p90 ${String(dispatch.p90)}, range held ${(dispatch.coverage * 100).toFixed(1)} % (no target)`);
  return { etaError: list, etaErrorAtDispatch: dispatch, wallMs };
}
