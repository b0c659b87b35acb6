import { customType } from 'drizzle-orm/pg-core';

/**
 * A time as SQLite stores it: Unix milliseconds in an integer (here a bigint), read back as a Date.
 * Not `timestamptz`: the two databases then hold the same numbers, so that raw SQL comparing times
 * with millisecond values (cursors, batch deadlines) reads the same on both. node-postgres returns
 * bigints as strings; they are read back exactly (milliseconds stay far below 2^53).
 */
export const millis = customType<{ data: Date; driverData: string | number }>({
  dataType: () => 'bigint',
  toDriver: (value) => value.getTime(),
  fromDriver: (value) => new Date(Number(value)),
});

/** Bytes, for SQLite's `blob` columns (pg-core 0.45 has no bytea column of its own). No table has one yet. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});
