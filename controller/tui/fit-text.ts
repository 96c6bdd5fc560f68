/**
 * Pads or cuts `text` to exactly `width` characters. Cut text ends in "…" (or has it in the
 * middle for URLs, whose start names the site and whose end names the build and step).
 */
export function fitText(text: string, width: number, cut: 'end' | 'middle' = 'end'): string {
  if (width <= 0) return '';
  const chars = Array.from(text.replace(/[\r\n\t]+/g, ' '));
  if (chars.length <= width) return chars.join('') + ' '.repeat(width - chars.length);
  if (width === 1) return '…';
  if (cut === 'end') return `${chars.slice(0, width - 1).join('')}…`;
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join('')}…${tail > 0 ? chars.slice(-tail).join('') : ''}`;
}

/** A table cell: the text fitted to `width - 1` and one space, so neighbouring columns never touch. */
export function fitCell(text: string, width: number): string {
  return `${fitText(text, width - 1)} `;
}
