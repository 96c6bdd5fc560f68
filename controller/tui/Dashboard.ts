import { Box } from 'ink';
import React from 'react';
import { LineView } from './LineView.ts';
import type { ScreenModel } from './screen-model.ts';

const h = React.createElement;

export interface DashboardProps {
  readonly screen: ScreenModel;
  readonly width: number;
}

/** The whole screen: title, tabs, banner, the focused pane and the key line. */
export function Dashboard({ screen, width }: DashboardProps): React.ReactElement {
  const lines = [screen.title, screen.tabs, ...screen.banner, ...screen.body, screen.footer];
  return h(
    Box,
    { flexDirection: 'column', width },
    lines.map((line, i) => h(LineView, { key: i, line })),
  );
}
