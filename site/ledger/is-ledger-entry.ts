import { isPortName } from '../../controller/model/port-name.ts';
import { ACTIONS_LOG, BUILD_RESULTS, BUILDER_NAME, isTargetUrl, PLATFORM_SLUG, REVISION, STEP_NAME, type LedgerEntry } from './ledger-entry.ts';

const ENTRY_KEYS = new Set(['builder', 'number', 'port', 'platform', 'result', 'finishedAt', 'startedAt', 'watcher', 'failedStep', 'revision', 'url', 'steps']);
const RESULTS: ReadonlySet<unknown> = new Set(BUILD_RESULTS);
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/**
 * The ledger schema as plain checks: at a million lines zod's parse is most of the build time.
 * It never accepts what `ledgerEntrySchema` rejects (a test holds the two together); when it
 * says no, the reader asks zod, which accepts or explains what is wrong.
 */
export function isLedgerEntry(value: unknown): value is LedgerEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  for (const key in e) if (!ENTRY_KEYS.has(key)) return false;
  const { builder, number, port, platform, result, finishedAt, startedAt, watcher, failedStep, revision, url, steps } = e;
  if (typeof builder !== 'string' || !BUILDER_NAME.test(builder)) return false;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0 || number > 999_999_999) return false;
  if (port !== undefined && (typeof port !== 'string' || !isPortName(port))) return false;
  if (platform !== undefined && (typeof platform !== 'string' || !PLATFORM_SLUG.test(platform))) return false;
  if (result !== undefined && !RESULTS.has(result)) return false;
  if (finishedAt !== undefined && !isDateTime(finishedAt)) return false;
  if (startedAt !== undefined && !isDateTime(startedAt)) return false;
  if (watcher !== undefined && !isWatcher(watcher)) return false;
  if (failedStep !== undefined && (typeof failedStep !== 'string' || !STEP_NAME.test(failedStep))) return false;
  if (revision !== undefined && (typeof revision !== 'string' || !REVISION.test(revision))) return false;
  if (!isTargetUrl(url)) return false;
  if (steps === undefined) return true;
  if (!Array.isArray(steps)) return false;
  for (const step of steps as unknown[]) if (!isStep(step)) return false;
  return true;
}

function isWatcher(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const w = value as Record<string, unknown>;
  for (const key in w) if (key !== 'builder' && key !== 'number') return false;
  const { builder, number } = w;
  return typeof builder === 'string' && BUILDER_NAME.test(builder) && typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 && number <= 999_999_999;
}

function isStep(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const s = value as Record<string, unknown>;
  for (const key in s) if (key !== 'name' && key !== 'logs') return false;
  if (typeof s.name !== 'string' || s.name === '' || !Array.isArray(s.logs)) return false;
  for (const log of s.logs as unknown[]) {
    if (typeof log !== 'object' || log === null || Array.isArray(log)) return false;
    const l = log as Record<string, unknown>;
    for (const key in l) if (key !== 'name' && key !== 'url') return false;
    if (typeof l.name !== 'string' || l.name === '' || !isTargetUrl(l.url) || ACTIONS_LOG.test(l.url)) return false;
  }
  return true;
}

function isDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_TIME.exec(value);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}
