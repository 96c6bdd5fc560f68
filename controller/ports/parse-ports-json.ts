import { z } from 'zod';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';
import { explainBadPortName } from '../model/port-name.ts';
import { portEntrySchema, type PortEntry } from './port-entry-schema.ts';

/**
 * Validates the text of a `ports.json` (an array of Portfile objects). Every problem names
 * the file, the entry and the field, so a truncated or hand-edited file is easy to fix.
 */
export function parsePortsJson(text: string, source: string): PortEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (caught) {
    throw new UserError(`${source} is not valid JSON; pass the ports.json of the MacPorts data set`, { cause: coerceError(caught) });
  }
  const parsed = z.array(portEntrySchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.map(String).join('.');
    throw new UserError(
      `${source}: ${where === '' ? 'the top level' : `entry ${where}`} ${issue?.message ?? 'is malformed'}; ` +
        'expected an array of {name, subports, depends, subport_depends} objects (see data README)',
    );
  }
  for (const [i, entry] of parsed.data.entries()) {
    for (const name of [entry.name, ...entry.subports]) {
      const bad = explainBadPortName(name);
      if (bad !== undefined) throw new UserError(`${source}: entry ${i}: ${bad}`);
    }
  }
  return parsed.data;
}
