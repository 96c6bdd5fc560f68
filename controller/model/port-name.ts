/**
 * MacPorts port names: letters, digits and `. _ + -`, starting with a letter or digit
 * (`py313-numpy`, `p5.34-dbi`, `gtk3`, `R-A3`). Never `/`, `..` or white space: a port name
 * ends up in paths, shell arguments and runner labels.
 */
const PORT_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export function isPortName(value: string): boolean {
  return PORT_NAME.test(value) && !value.includes('..');
}

/** The reason `value` is not a port name, or undefined when it is one. */
export function explainBadPortName(value: string): string | undefined {
  if (isPortName(value)) return undefined;
  if (value === '') return 'a port name is empty';
  if (value.includes('/')) return `port name ${JSON.stringify(value)} contains "/"; give the port's name (e.g. curl), not its path`;
  if (value.includes('..')) return `port name ${JSON.stringify(value)} contains ".."`;
  if (/\s/.test(value)) return `port name ${JSON.stringify(value)} contains white space; give one port per entry`;
  if (value.startsWith('-')) return `port name ${JSON.stringify(value)} starts with "-": a command would read it as an option`;
  return `port name ${JSON.stringify(value)} is not a MacPorts port name (letters, digits and . _ + -, starting with a letter or digit)`;
}

/** A name that came from text (a path, a listing, a tool's output) and is not a port name, with why. */
export interface RejectedPortName {
  readonly name: string;
  readonly reason: string;
}

/**
 * Splits names from any source into port names and the rest, in their order. Callers report
 * the rejected ones: a name that is dropped silently is a port that silently never builds.
 */
export function partitionPortNames(names: Iterable<string>): { readonly valid: string[]; readonly rejected: RejectedPortName[] } {
  const valid: string[] = [];
  const rejected: RejectedPortName[] = [];
  for (const name of names) {
    const reason = explainBadPortName(name);
    if (reason === undefined) valid.push(name);
    else rejected.push({ name, reason });
  }
  return { valid, rejected };
}
