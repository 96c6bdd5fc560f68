/**
 * What a `ports` run is. A watcher lists the ports a commit range touched; a builder builds one
 * port. PR runs (from a pull request head) are their own class: they never deploy.
 */
export type BuildKind = 'watcher' | 'builder' | 'pr-watcher' | 'pr-builder';

/** Run states portfarm tracks for every dispatched build. */
export type RunState = 'pending' | 'dispatched' | 'started' | 'finished';

export type BuildResult = 'success' | 'failure' | 'cancelled';
