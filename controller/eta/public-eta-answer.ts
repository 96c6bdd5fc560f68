import { z } from 'zod';
import { portEtaSchema, type EtaAnswer } from './eta-answer.ts';

/**
 * What `GET /api/eta/public?port=P[&platform=X]` answers anyone, without the status token: what
 * a port's queued check already shows on its commit (place in line, runs ahead, the estimated
 * start and finish, what the estimate rests on), and nothing of the farm's inside (no build ids).
 */
export const publicEtaAnswerSchema = z.strictObject({
  port: z.string(),
  /** When the projection answered was made (it is reused, not made per request). */
  generatedAt: z.iso.datetime({ offset: true }),
  /** A build's estimate as `GET /api/eta` gives it, without its build id. */
  builds: z.array(portEtaSchema.omit({ buildId: true })),
});

export type PublicEtaAnswer = z.infer<typeof publicEtaAnswerSchema>;

/** The public fields of an answer, field by field: a field added to EtaAnswer is not public until listed here. */
export function toPublicEtaAnswer(answer: EtaAnswer): PublicEtaAnswer {
  return {
    port: answer.port,
    generatedAt: answer.generatedAt,
    builds: answer.builds.map((b) => ({ platform: b.platform, state: b.state, position: b.position, ahead: b.ahead, start: b.start, finish: b.finish, basis: b.basis, unknown: b.unknown })),
  };
}
