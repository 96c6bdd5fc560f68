/** How a benchmark figure must relate to its target. */
export type Bound = '<' | '<=';

/**
 * A benchmark's verdict line, e.g. `29.96 s (target < 30 s): ok`. The verdict compares the
 * measured figure, never the printed one, and the figure is printed with as many decimals beyond
 * `minDecimals` as it takes to land on the same side of the target: 29.96 against < 30 printed
 * with one decimal would read `30.0 s (target < 30 s): ok` (issue #22.3).
 */
export function verdict(value: number, bound: Bound, target: number, unit: string, minDecimals = 1): string {
  const ok = bound === '<' ? value < target : value <= target;
  let shown = value.toFixed(minDecimals);
  for (let decimals = minDecimals; decimals <= 12; decimals++) {
    shown = value.toFixed(decimals);
    const printed = Number(shown);
    if (printed < target === value < target && (printed === target) === (value === target)) break;
  }
  return `${shown} ${unit} (target ${bound} ${String(target)} ${unit}): ${ok ? 'ok' : 'over'}`;
}
