import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string (it may exceed 2^53); event cursors stay far below that. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | undefined) => v,
  from: (v: string | number | null) => (v === null ? v : Number(v)),
};
