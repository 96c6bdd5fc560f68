import type { IncomingMessage, ServerResponse } from 'node:http';
import { explainBadPortName } from '../model/port-name.ts';
import type { EtaAnswer, EtaSnapshot } from './eta-answer.ts';

export interface EtaRequestOptions {
  /** FarmEta.answerFresh (or answer). */
  readonly answer: (port: string, platform: string | undefined, now: number) => EtaAnswer | Promise<EtaAnswer>;
  readonly platforms: readonly string[];
  readonly now: () => Date;
}

/**
 * `GET /api/eta?port=P[&platform=X]`: every queued or running build of the port with its
 * estimated start and finish. A missing or malformed port, or an unknown platform, is a 400
 * naming the value and what to send instead.
 */
export function createEtaRequestHandler(options: EtaRequestOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const query = new URL(req.url ?? '/', 'http://controller.invalid').searchParams;
    const port = query.get('port');
    const platform = query.get('platform') ?? undefined;
    const refuse = (error: string): void => {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end(`${JSON.stringify({ error })}\n`);
    };
    if (port === null || port === '') {
      refuse('port is missing; ask GET /api/eta?port=<port>[&platform=<platform>], e.g. ?port=curl');
      return;
    }
    const bad = explainBadPortName(port);
    if (bad !== undefined) {
      refuse(bad);
      return;
    }
    if (platform !== undefined && !options.platforms.includes(platform)) {
      refuse(`platform ${JSON.stringify(platform)} is not built here; use one of ${options.platforms.join(', ')} or leave it out for all`);
      return;
    }
    const body = await options.answer(port, platform, options.now().getTime());
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(`${JSON.stringify(body)}\n`);
  };
}

/**
 * `GET /api/eta/snapshot`: every builder queued or running on every platform with its estimate
 * (FarmEta.snapshot), what `portfarm site build --eta-url` puts on the port pages.
 */
export function createEtaSnapshotHandler(snapshot: (now: number) => Promise<EtaSnapshot>, now: () => Date): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (_req, res) => {
    const body = await snapshot(now().getTime());
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(`${JSON.stringify(body)}\n`);
  };
}
