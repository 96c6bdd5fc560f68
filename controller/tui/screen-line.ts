/** How a piece of text should stand out; the theme maps tones to colours (or to nothing under NO_COLOR). */
export type Tone = 'normal' | 'muted' | 'ok' | 'busy' | 'warn' | 'bad' | 'accent';

export interface Segment {
  readonly text: string;
  readonly tone: Tone;
  readonly bold?: boolean;
  readonly inverse?: boolean;
}

/** One line of the screen as styled segments; its plain text never exceeds the width it was built for. */
export type ScreenLine = readonly Segment[];

export function segment(text: string, tone: Tone = 'normal', style: { bold?: boolean; inverse?: boolean } = {}): Segment {
  return { text, tone, ...style };
}

export function lineText(line: ScreenLine): string {
  return line.map((s) => s.text).join('');
}
