const PLATFORM_IN_NAME = /^(?:ports-(.+)-(?:builder|watcher)|base-(.+))$/;

/** `ports-10.15_x86_64-builder` → `10.15_x86_64`, `base-15_arm64` → `15_arm64`; other names stand for themselves. */
export function platformOf(builder: string): string {
  const match = PLATFORM_IN_NAME.exec(builder);
  return match?.[1] ?? match?.[2] ?? builder;
}
