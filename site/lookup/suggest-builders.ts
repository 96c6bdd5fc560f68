/** Codenames of the 2011–2016 builder names (`buildports-mtln-x86_64`). */
const CODENAMES: Readonly<Record<string, string>> = {
  snowleopard: '10.6',
  lion: '10.7',
  mtln: '10.8',
  mavericks: '10.9',
  yosemite: '10.10',
  elcapitan: '10.11',
  sierra: '10.12',
};

/**
 * Builders a reader probably meant when `asked` is not on the site: today's name of a renamed
 * builder (`11.0_*` became `11_*` in 2020; `buildports-<codename>-<arch>` became
 * `ports-<version>_<arch>-builder`), then builders of the same platform. Suggestions only: a
 * renamed builder started its own number sequence, so its numbers are not redirected.
 */
export function suggestBuilders(asked: string, known: readonly string[]): string[] {
  const name = asked.toLowerCase();
  const wanted: string[] = [];
  const renamed = name.replace(/(^|-)11\.0_/, '$111_');
  if (renamed !== name) wanted.push(renamed);
  const old = /^build(ports|base)-([a-z]+)-([a-z0-9_]+)$/.exec(name);
  const version = old?.[2] === undefined ? undefined : CODENAMES[old[2]];
  if (old !== null && version !== undefined) {
    wanted.push(old[1] === 'ports' ? `ports-${version}_${old[3] ?? ''}-builder` : `base-${version}_${old[3] ?? ''}`);
  }
  const platform = /\d{1,2}(\.\d{1,2})?_(arm64|x86_64|i386|ppc64|ppc)(_legacy)?/.exec(wanted[0] ?? name)?.[0];
  const result = wanted.filter((w) => known.includes(w));
  if (platform !== undefined) {
    for (const k of known) if (k.includes(`-${platform}-`) || k.endsWith(`-${platform}`)) result.push(k);
  }
  return [...new Set(result)].slice(0, 8);
}
