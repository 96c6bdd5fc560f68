import type { z } from 'zod';
import { UserError } from '../errors/user-error.ts';

/** Validates what a caller hands the queue; a refusal names every bad field and changes nothing. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'} ${i.message}`);
  throw new UserError(`${what} refused, queue unchanged: ${problems.join('; ')}`);
}
