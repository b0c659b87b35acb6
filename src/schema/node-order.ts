/**
 * Node loaders must answer in the order of the IDs asked for (the relay plugin puts the i-th result
 * in the i-th place), while the repositories answer in database order: `byRequestedIds` puts each row
 * in its ID's place, null for an ID that names nothing.
 */
export function byRequestedIds<T extends { id: number }>(ids: readonly string[], rows: readonly T[]): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(Number(id)) ?? null);
}
