import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config-schema.ts';
import { createOnPortList, type OnPortListOptions } from '../flows/on-port-list.ts';
import type { EventRejections } from '../github/event-rejections.ts';
import { createPortListHandler } from '../handoff/create-port-list-handler.ts';
import type { HandoffSettings } from '../handoff/handoff-settings.ts';
import { createPortListVerifier } from '../handoff/verify-port-list-request.ts';
import { createEtaRequestHandler, createEtaSnapshotHandler, type EtaRequestOptions } from '../eta/eta-request-handler.ts';
import type { EtaAnswer, EtaSnapshot } from '../eta/eta-answer.ts';
import { createPublicEtaHandler } from '../eta/public-eta-handler.ts';
import { ClientRateLimit } from '../http/client-rate-limit.ts';
import type { StatusFeed } from '../status/status-feed.ts';
import { createStatusRequestHandler } from '../status/status-request-handler.ts';
import type { ControllerHttpOptions } from './controller-http.ts';

export interface HttpSurfaceParts {
  readonly webhook: ControllerHttpOptions['webhook'];
  /** The hand-off's settings, and the branch watchers are dispatched on (their tokens must name it). */
  readonly handoff: HandoffSettings;
  readonly dispatchBranch: string;
  /** What the port-list flow needs once a list is verified. */
  readonly portList: OnPortListOptions;
  readonly statusFeed: StatusFeed;
  /** Answers `GET /api/eta` (FarmEta.answerFresh). */
  readonly eta: EtaRequestOptions['answer'];
  /** Answers `GET /api/eta/public` from the last projection made (FarmEta.answer). */
  readonly etaLast: (port: string, platform: string | undefined, now: number) => EtaAnswer;
  /** Answers `GET /api/eta/snapshot` (FarmEta.snapshot). */
  readonly etaSnapshot: (now: number) => Promise<EtaSnapshot>;
  readonly now: () => Date;
  readonly statusToken: string;
  readonly metrics: Registry;
  readonly rejections: EventRejections;
  readonly log: Logger;
}

/** Which handler answers which route of the controller's one HTTP server, from the config and the running parts. */
export function httpSurfaceOptions(config: Config, parts: HttpSurfaceParts): ControllerHttpOptions {
  const { rejections, log } = parts;
  return {
    host: config.controller.host,
    port: config.controller.port,
    webhook: parts.webhook,
    portList: createPortListHandler(createPortListVerifier({ ...parts.handoff, branch: parts.dispatchBranch }), createOnPortList(parts.portList), {
      rejections,
      log: log.child({ component: 'handoff' }),
    }),
    status: createStatusRequestHandler(parts.statusFeed, {
      maxEventStreams: config.controller.maxEventStreams,
      onError: (error) => { log.warn({ err: error }, 'status stream failed'); },
      onStreamRefused: (why, detail) => { rejections.reject(`status-${why}`, 'GET /api/events', { detail }); },
    }),
    eta: createEtaRequestHandler({ answer: parts.eta, platforms: config.platforms.map((p) => p.name), now: parts.now }),
    etaPublic: !config.eta.public ? undefined : createPublicEtaHandler({
      answer: parts.etaLast,
      platforms: config.platforms.map((p) => p.name),
      limit: new ClientRateLimit({ perClientPerMinute: config.eta.publicPerClientPerMinute, totalPerMinute: config.eta.publicTotalPerMinute }),
      now: parts.now,
      onRefused: (reason, client, detail) => { rejections.reject(reason, client, { path: '/api/eta/public', detail }); },
    }),
    etaSnapshot: createEtaSnapshotHandler(parts.etaSnapshot, parts.now),
    metrics: parts.metrics,
    statusToken: { value: parts.statusToken, env: config.controller.statusTokenEnv },
    rejections,
    log,
  };
}
