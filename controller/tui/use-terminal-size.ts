import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { TerminalSize } from './build-screen.ts';

const FALLBACK: TerminalSize = { columns: 80, rows: 24 };

/** The terminal's size, updated on resize. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || FALLBACK.columns, rows: stdout.rows || FALLBACK.rows });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => {
      setSize({ columns: stdout.columns || FALLBACK.columns, rows: stdout.rows || FALLBACK.rows });
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
