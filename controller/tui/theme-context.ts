import { createContext } from 'react';

/** Whether to colour the screen; false when NO_COLOR is set (https://no-color.org). */
export interface Theme {
  readonly color: boolean;
}

export const ThemeContext = createContext<Theme>({ color: true });
