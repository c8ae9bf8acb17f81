const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a syntactically valid UUID: subject, employer and record ids are UUIDs on both sides of the
 * gateway↔subgraph hop, and anything else must never reach a `::uuid` cast.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
