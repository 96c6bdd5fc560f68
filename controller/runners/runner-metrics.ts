import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The runner manager's Prometheus metrics in their own registry, so the controller mounts
 * `registry.metrics()` at `/metrics` (merge with others via `Registry.merge`).
 */
export class RunnerMetrics {
  readonly registry: Registry;
  readonly queuedToInProgress: Histogram<'platform' | 'warm'>;
  readonly cloneSeconds: Histogram<'backend' | 'host'>;
  readonly bootSeconds: Histogram<'backend' | 'host'>;
  readonly vms: Gauge<'host' | 'state'>;
  readonly retries: Counter<'platform' | 'reason'>;
  readonly orphansReaped: Counter<'kind' | 'reason'>;
  readonly buildsFailed: Counter<'platform' | 'reason'>;
  readonly destroyFailures: Counter<'backend'>;

  constructor(options: { readonly vmsByState: () => readonly { readonly host: string; readonly state: string; readonly count: number }[] }) {
    this.registry = new Registry();
    const registers = [this.registry];
    this.queuedToInProgress = new Histogram({
      name: 'portfarm_job_queued_to_in_progress_seconds',
      help: 'workflow_job queued → in_progress on a portfarm runner',
      labelNames: ['platform', 'warm'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    this.cloneSeconds = new Histogram({
      name: 'portfarm_vm_clone_seconds',
      help: 'Copy-on-write clone of the base image',
      labelNames: ['backend', 'host'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers,
    });
    this.bootSeconds = new Histogram({
      name: 'portfarm_vm_boot_seconds',
      help: 'VM start → reachable',
      labelNames: ['backend', 'host'],
      buckets: [1, 5, 10, 15, 30, 60, 120, 300],
      registers,
    });
    const vmsByState = options.vmsByState;
    this.vms = new Gauge({
      name: 'portfarm_vms',
      help: 'VM slots by state per host',
      labelNames: ['host', 'state'],
      registers,
      collect() {
        this.reset();
        for (const row of vmsByState()) this.set({ host: row.host, state: row.state }, row.count);
      },
    });
    this.retries = new Counter({ name: 'portfarm_runner_retries_total', help: 'Attempts retried after a failure', labelNames: ['platform', 'reason'], registers });
    this.orphansReaped = new Counter({
      name: 'portfarm_orphans_reaped_total',
      help: 'VMs destroyed and registrations deleted by reconcile',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.buildsFailed = new Counter({
      name: 'portfarm_runner_builds_failed_total',
      help: 'Builds handed back after the last attempt failed',
      labelNames: ['platform', 'reason'],
      registers,
    });
    this.destroyFailures = new Counter({
      name: 'portfarm_vm_destroy_failures_total',
      help: 'VM destroys that failed and were tried again (the VM keeps its slot meanwhile)',
      labelNames: ['backend'],
      registers,
    });
  }
}
