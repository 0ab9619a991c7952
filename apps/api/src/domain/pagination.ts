import { badInput } from '../errors';

export const MAX_PAGE_SIZE = 100;

/** Opaque offset cursors: enough for admin lists, and stable for a given filter. */
export function pageWindow(
  first: number | undefined | null,
  after: string | undefined | null,
): { offset: number; limit: number } {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw badInput('first', `must be 1 to ${MAX_PAGE_SIZE}`);
  if (!after) return { offset: 0, limit };
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!m) throw badInput('after', 'is not a cursor returned by this API');
  return { offset: Number(m[1]), limit };
}

export function pageOf<T>(nodes: T[], total: number, window: { offset: number; limit: number }) {
  const end = window.offset + nodes.length;
  return {
    nodes,
    totalCount: total,
    pageInfo: {
      hasNextPage: end < total,
      endCursor: nodes.length ? Buffer.from(`o:${end}`).toString('base64url') : null,
    },
  };
}
