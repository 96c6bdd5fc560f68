import { Text } from 'ink';
import React, { useContext } from 'react';
import type { ScreenLine, Tone } from './screen-line.ts';
import { ThemeContext } from './theme-context.ts';

const h = React.createElement;

const COLORS: Readonly<Record<Tone, string | undefined>> = {
  normal: undefined,
  muted: 'gray',
  ok: 'green',
  busy: 'yellow',
  warn: 'yellow',
  bad: 'red',
  accent: 'cyan',
};

export interface LineViewProps {
  readonly line: ScreenLine;
}

/** One screen line; tones become colours unless the theme says no colour (then only bold remains). */
export function LineView({ line }: LineViewProps): React.ReactElement {
  const { color } = useContext(ThemeContext);
  return h(
    Text,
    { wrap: 'truncate' },
    ...line.map((s, i) => {
      const tint = color ? COLORS[s.tone] : undefined;
      return h(Text, { key: i, bold: s.bold === true, inverse: color && s.inverse === true, ...(tint === undefined ? {} : { color: tint }) }, s.text);
    }),
  );
}
