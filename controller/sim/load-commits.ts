import { z } from 'zod';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';
import { readTextFile } from '../io/read-text-file.ts';
import { explainBadPortName } from '../model/port-name.ts';

const commitSchema = z.object({
  sha: z.string().regex(/^[0-9a-f]{7,40}$/, { error: 'must be a git commit sha' }),
  time: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with offset' }),
  ports: z.array(z.string()),
});

export interface SimCommit {
  readonly sha: string;
  /** Committer time, ms since the epoch. */
  readonly time: number;
  readonly ports: readonly string[];
}

/** Parses commits.ndjson (newest first, one object a line) into commits oldest first; each bad line is named. */
export function parseCommits(text: string, source: string): SimCommit[] {
  const commits: SimCommit[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (caught) {
      throw new UserError(`${source}:${String(i + 1)} is not a JSON object; commits.ndjson has one commit object per line`, { cause: coerceError(caught) });
    }
    const parsed = commitSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(`${source}:${String(i + 1)}: ${issue?.path.map(String).join('.') ?? ''} ${issue?.message ?? 'is malformed'}`);
    }
    for (const port of parsed.data.ports) {
      const bad = explainBadPortName(port);
      if (bad !== undefined) throw new UserError(`${source}:${String(i + 1)}: ${bad}`);
    }
    commits.push({ sha: parsed.data.sha, time: Date.parse(parsed.data.time), ports: parsed.data.ports });
  });
  if (commits.length === 0) throw new UserError(`${source} holds no commits; pass the commits.ndjson of the MacPorts data set to --commits`);
  return commits.sort((a, b) => a.time - b.time);
}

export async function loadCommits(path: string, signal?: AbortSignal): Promise<SimCommit[]> {
  return parseCommits(await readTextFile(path, 'commits file', 'pass the commits.ndjson of the MacPorts data set to --commits', signal), path);
}
