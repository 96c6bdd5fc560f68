/** C0 and C1 control characters and DEL (anything but printable ASCII and U+00A0 on): what a terminal reads as a command. */
const CONTROL = /[^\u0020-\u007e\u00a0-\uffff]/g;
const LINE_BREAK = /[\t\n\r]/g;

/**
 * `text` with tabs and line breaks as spaces (a line is one line; a bare CR would overwrite it)
 * and every other control character replaced by U+FFFD. What the controller answers is shown
 * on an operator's terminal: a name that carried `ESC ]8;;…` would make a link there, `ESC [2J`
 * clear the screen. The controller validates what it puts in a status answer; the TUI does not
 * rely on it.
 */
export function printableText(text: string): string {
  return text.replace(LINE_BREAK, ' ').replace(CONTROL, '\uFFFD');
}
