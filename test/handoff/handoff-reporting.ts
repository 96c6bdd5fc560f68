import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { EventRejections } from '../../controller/github/event-rejections.ts';
import type { HandoffReporting } from '../../controller/handoff/create-port-list-handler.ts';

/** The hand-off's reporting over the real EventRejections, with every log line kept for assertions. */
export function recordHandoffReporting(): HandoffReporting & { readonly rejections: EventRejections; readonly lines: readonly Record<string, unknown>[]; readonly metrics: () => Promise<string> } {
  const lines: Record<string, unknown>[] = [];
  const log: Logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
  const registry = new Registry();
  return { rejections: new EventRejections({ registry, log }), log, lines, metrics: () => registry.metrics() };
}
