import type { PlatformConfig } from '../../../controller/config/config-schema.ts';
import type { ControllerStats } from '../../../controller/serve/start-controller.ts';

/** What the harness hands the controller child (argv[2], JSON). */
export interface FarmChildArgs {
  readonly port: number;
  readonly apiUrl: string;
  readonly appId: number;
  readonly privateKey: string;
  readonly installationId: number;
  readonly webhookSecret: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly platforms: readonly PlatformConfig[];
  readonly backend:
    | { readonly kind: 'orchard'; readonly url: string; readonly user: string; readonly token: string }
    | { readonly kind: 'fake'; readonly bootMs: number; readonly cloneMs: number };
  readonly portsJson: string;
  readonly statePath: string;
  readonly ledgerPath: string;
  readonly siteDir: string;
  /** One JSON line per failure mail sent. */
  readonly mailLog: string;
  readonly logLevel: 'info' | 'warn';
  readonly loopIntervalMs: number;
  readonly watchdogIntervalMs: number;
  readonly reconcileIntervalMs: number;
  readonly sweepIntervalMs?: number;
  readonly cancelPollMs?: number;
  /** GitHub time (github-time.ts): the controller waits on the double's clock. */
  readonly githubTime: { readonly start: number; readonly scale: number };
}

/** Parent → child over IPC. */
export type ChildRequest =
  | { readonly type: 'runner-exit'; readonly vmId: string; readonly code: number }
  | { readonly type: 'usage' }
  | { readonly type: 'idle' };

/** Child → parent over IPC. */
export type ChildReply =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'runner-start'; readonly vmId: string; readonly encodedJitConfig: string }
  | { readonly type: 'vm-gone'; readonly vmId: string }
  | { readonly type: 'idle' }
  | {
      readonly type: 'usage';
      readonly cpu: NodeJS.CpuUsage;
      readonly rss: number;
      readonly heapUsed: number;
      readonly apiCalls: number;
      readonly stats: ControllerStats;
    };
