/** One word for a POSIX shell: single-quoted unless it is plainly safe, so paths and URLs survive `sh -c`. */
export function quoteShell(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
