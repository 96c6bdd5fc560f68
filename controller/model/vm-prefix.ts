/**
 * portfarm names every VM it creates `portfarm-<buildId>-<attempt>-<nonce>` (runners/vm-name.ts;
 * also the runner name): reconcile only touches these, and a job whose `runner_name` starts with
 * it ran on one of portfarm's runners.
 */
export const VM_PREFIX = 'portfarm-';
