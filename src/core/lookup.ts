// Tables keyed by strings a service or a workspace sends (a job status, a type name, an error
// title) are plain objects in our code, and `table['constructor']`, `table['__proto__']` or
// `table['toString']` would answer from Object.prototype. `lookup` answers only from the table's
// own entries, so an unknown key falls through to the caller's default.

/** The table's own entry for `key`, or undefined for an unknown, inherited or non-string key. */
export function lookup<V>(table: Readonly<Record<string, V>>, key: unknown): V | undefined {
  if (typeof key !== 'string' && typeof key !== 'number') return undefined;
  return Object.hasOwn(table, key) ? table[key as string] : undefined;
}
