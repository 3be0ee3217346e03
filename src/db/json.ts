/**
 * jsonb parameters are always sent as JSON text. `pg` would turn a JS array into a PostgreSQL
 * array literal (`{1,2}`) and break jsonb columns; PGlite and pg both accept JSON text.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}
