/**
 * `record[key]` for a map read from JSON, counting only the record's own keys: a builder or
 * port named `constructor`, `toString` or `hasOwnProperty` that the site does not have is not
 * found, instead of finding what every object inherits. Every lookup by a name from the URL
 * goes through here.
 */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
