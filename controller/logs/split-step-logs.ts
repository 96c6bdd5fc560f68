import { STEP_LOG_GROUP } from '../../site/lookup/archived-step-log.ts';

/** `2026-08-17T21:12:36.1234567Z `: the time GitHub puts before every line of a downloaded job log. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /;
const GROUP = '##[group]';
const END_GROUP = '##[endgroup]';
/** The action runs each mpbb call in a group named for it: `mpbb install-port --mirrordb-url=… -- curl`. */
const MPBB_GROUP = /^mpbb ([a-z][a-z-]*)(?: |$)/;
const STEP_LOG = /^([A-Za-z0-9][A-Za-z0-9._-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)$/;

/**
 * The logs of each step, cut out of a job log as GitHub serves it: a step's `stdio` is the
 * output of its mpbb call (the action's `mpbb <step> …` group, what buildbot's stdio showed),
 * and mpbb's own logs are the groups the action prints them in (`portfarm log install-port/files`).
 * Keys are `<step>/<log>`; text without GitHub's timestamps. A step run twice keeps its last run.
 */
export function splitStepLogs(jobLog: string): Map<string, string> {
  const logs = new Map<string, string>();
  let open: { key: string; lines: string[] } | undefined;
  for (const raw of jobLog.split('\n')) {
    const line = raw.replace(TIMESTAMP, '').replace(/\r$/, '');
    if (line.startsWith(GROUP)) {
      // GitHub does not nest groups: a new one ends the one before.
      if (open !== undefined) logs.set(open.key, `${open.lines.join('\n')}\n`);
      open = undefined;
      const name = line.slice(GROUP.length);
      const stepLog = name.startsWith(STEP_LOG_GROUP) ? STEP_LOG.exec(name.slice(STEP_LOG_GROUP.length)) : null;
      const mpbb = MPBB_GROUP.exec(name);
      if (stepLog !== null) open = { key: `${stepLog[1] ?? ''}/${stepLog[2] ?? ''}`, lines: [] };
      else if (mpbb !== null) open = { key: `${mpbb[1] ?? ''}/stdio`, lines: [] };
    } else if (line.startsWith(END_GROUP)) {
      if (open !== undefined) logs.set(open.key, `${open.lines.join('\n')}\n`);
      open = undefined;
    } else open?.lines.push(line);
  }
  // A job log cut off inside a group (the run was cancelled) keeps what it has.
  if (open !== undefined) logs.set(open.key, `${open.lines.join('\n')}\n`);
  return logs;
}
