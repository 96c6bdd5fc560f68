import { explainBadPortName } from '../../controller/model/port-name.ts';

export interface ExcludedPort {
  readonly port: string;
  readonly reason: string;
}

export interface SubportList {
  /** Ports to build, in the dependency order mpbb printed them. */
  readonly ports: readonly string[];
  readonly excluded: readonly ExcludedPort[];
  /** Other stderr lines worth showing (cyclic dependencies, ports not in the index), and names that are not port names. */
  readonly warnings: readonly string[];
}

const EXCLUDING = /^Excluding (\S+) because (.+)$/;

/**
 * Reads `mpbb list-subports`: one port per line on stdout in dependency order; on stderr
 * `Excluding <port> because <reason>` for ports it will not build (already uploaded, known to
 * fail, unsupported arch, not distributable…). Excluded ports are kept with their reason so
 * they are reported, not lost. A name that is not a port name (mpbb reads Portfiles anyone can
 * change) is neither built nor handed over: it becomes a warning saying why.
 */
export function parseListSubports(stdout: string, stderr: string): SubportList {
  const ports: string[] = [];
  const excluded: ExcludedPort[] = [];
  const warnings: string[] = [];
  const notAPort = (name: string, where: string): boolean => {
    const problem = explainBadPortName(name);
    if (problem !== undefined) warnings.push(`mpbb list-subports printed ${where} that is not a port name, not listed: ${problem}`);
    return problem !== undefined;
  };
  for (const line of stdout.split('\n')) {
    const name = line.trim();
    if (name !== '' && !ports.includes(name) && !notAPort(name, 'a line')) ports.push(name);
  }
  for (const line of stderr.split('\n')) {
    const text = line.trim();
    if (text === '' || text === 'Still processing...') continue;
    const match = EXCLUDING.exec(text);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      if (!notAPort(match[1], 'an exclusion')) excluded.push({ port: match[1], reason: match[2] });
    } else warnings.push(text);
  }
  return { ports, excluded, warnings };
}
