/**
 * Which `/map/_ports/<bucket>.json` holds a port. FNV-1a over the lower-case name: the `py*`
 * and `p5*` families are thousands of ports each, so buckets by first letters would be lopsided.
 */
export function portBucket(port: string, buckets: number): number {
  let hash = 0x811c9dc5;
  const name = port.toLowerCase();
  for (let i = 0; i < name.length; i += 1) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % buckets;
}
