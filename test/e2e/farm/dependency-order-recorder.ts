/**
 * Dependency safety seen from outside the controller (docs/scheduling.md rules 4 and 5): in
 * the test process beside the GitHub double and Orchard's double, which call back
 * synchronously as they store a dispatch, a run's end or a VM, so the order of events is
 * exact (the double's timestamps are whole seconds, as GitHub's, too coarse for fast jobs).
 * A breach is recorded as it happens:
 * - a builder dispatched while a port of its dependency closure on its platform was dispatched
 *   or running, or was listed to the controller and has not built since (pending, or failed
 *   and so blocking);
 * - a VM created for a build GitHub has no run of (a blocked build holds no VM).
 */
import { dependencyClosure } from '../../../controller/ports/dependency-closure.ts';
import type { PortsGraph } from '../../../controller/ports/ports-graph.ts';
import { parseVmName } from '../../../controller/runners/vm-name.ts';
import type { RunRecord } from '../../github-double/double-records.ts';

/** What the recorder reads of the GitHub double (its runs, and word of each change). */
export interface WatchedRuns {
  runs(): readonly Pick<RunRecord, 'id' | 'status' | 'conclusion' | 'inputs'>[];
  onChange(listener: () => void): () => void;
}

export interface BuilderDispatch {
  /** The event number at its dispatch (compare with `mark()`). */
  readonly at: number;
  readonly runId: number;
  readonly platform: string;
  readonly port: string;
}

export interface DependencyOrderRecorder {
  /** For `startFarm({ onHandedOff })`: the controller took this list. */
  readonly handedOff: (list: { readonly platform: string; readonly ports: readonly string[] }) => void;
  /** For `startFarm({ onVmCreated })`. */
  readonly vmCreated: (name: string) => void;
  /** Starts watching the double's runs; returns the stop. */
  attach(double: WatchedRuns): () => void;
  /** The event number now (e.g. when the fix commit is pushed). */
  mark(): number;
  readonly violations: readonly string[];
  readonly builders: readonly BuilderDispatch[];
  /** The most builder runs in flight at once, by platform (lanes in use). */
  readonly mostInFlight: ReadonlyMap<string, number>;
}

export function createDependencyOrderRecorder(graph: PortsGraph): DependencyOrderRecorder {
  let events = 0;
  const listed = new Map<string, number>();
  const built = new Map<string, number>();
  const known = new Map<number, string>();
  const violations: string[] = [];
  const builders: BuilderDispatch[] = [];
  const mostInFlight = new Map<string, number>();
  let double: WatchedRuns | null = null;
  const key = (platform: string, port: string): string => `${platform} ${port.toLowerCase()}`;

  /** Closure names of `port`, less members of a broken cycle with it (rule 4 does not wait for those). */
  const closure = (port: string): string[] => {
    const id = graph.ids.get(port.toLowerCase());
    if (id === undefined) return [];
    return dependencyClosure(graph, id).filter((dep) => !dependencyClosure(graph, dep).includes(id)).map((dep) => graph.names[dep] ?? '');
  };

  const onDispatch = (runId: number, platform: string, port: string): void => {
    builders.push({ at: events, runId, platform, port });
    const runs = double?.runs() ?? [];
    for (const dep of closure(port)) {
      const busy = runs.find((r) => r.id !== runId && r.status !== 'completed' && r.inputs.platform === platform && (r.inputs.portname ?? '').toLowerCase() === dep.toLowerCase());
      if (busy !== undefined) violations.push(`${platform} ${port} (run ${runId}) dispatched while its dependency ${dep} was ${busy.status} (run ${busy.id})`);
      const list = listed.get(key(platform, dep));
      if (list !== undefined && list > (built.get(key(platform, dep)) ?? -1)) {
        violations.push(`${platform} ${port} (run ${runId}) dispatched while its dependency ${dep}, listed at event ${list}, had not built since (pending or failed)`);
      }
    }
  };

  const onChange = (): void => {
    const runs = double?.runs() ?? [];
    const inFlight = new Map<string, number>();
    for (const run of runs) {
      const port = run.inputs.portname ?? '';
      const platform = run.inputs.platform ?? '';
      if (port === '') continue;
      if (run.status !== 'completed') inFlight.set(platform, (inFlight.get(platform) ?? 0) + 1);
      const before = known.get(run.id);
      const now = run.status === 'completed' ? `completed ${run.conclusion ?? ''}` : 'open';
      if (before === now) continue;
      events += 1;
      known.set(run.id, now);
      if (before === undefined) onDispatch(run.id, platform, port);
      if (now === 'completed success') built.set(key(platform, port), events);
    }
    for (const [platform, n] of inFlight) mostInFlight.set(platform, Math.max(mostInFlight.get(platform) ?? 0, n));
  };

  return {
    handedOff: (list) => {
      events += 1;
      for (const port of list.ports) listed.set(key(list.platform, port), events);
    },
    vmCreated: (name) => {
      events += 1;
      const buildId = parseVmName(name)?.buildId;
      const run = buildId === undefined ? undefined : double?.runs().find((r) => r.inputs.build_id === buildId);
      if (run === undefined) violations.push(`VM ${name} created for a build GitHub has no run of (blocked or never dispatched)`);
    },
    attach(next) {
      double = next;
      onChange();
      return next.onChange(onChange);
    },
    mark: () => events,
    violations,
    builders,
    mostInFlight,
  };
}
