/**
 * `manual: watcher (full rebuild) on <platform>`: the run name ports.yml gives a maintainer's
 * "Run workflow" with force ticked; the platform it names, or null for any other title. The
 * trust boundary (who may ask) and the run flow (queue it) read the title the same way.
 */
export function forcedRebuildPlatform(title: string): string | null {
  return /^manual: watcher \(full rebuild\) on (\S+)$/.exec(title.trim())?.[1] ?? null;
}
