/** A distfile path relative to the distfiles root, as MacPorts lays them out (`<dist_subdir>/<file>`). */
const SEGMENT = /^[A-Za-z0-9_+~][A-Za-z0-9._+~=,@-]*$/;

/** True for a plain relative path: no `..`, no absolute path, no hidden control names. */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 512) return false;
  return path.split('/').every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..');
}
