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
  return `port name ${JSON.stringify(value)} is not a MacPorts port name (letters, digits and . _ + -, starting with a letter or digit)`;
}
