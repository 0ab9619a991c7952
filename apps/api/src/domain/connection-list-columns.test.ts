import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { listColumns } from './connection-list-columns';

const SDL_FILE = path.resolve(__dirname, '../../../../packages/schema/schema.graphql');

// The statement the list read before its columns followed the fields asked: every one of these, and every
// column the authorization store lists.
const EVERY_COLUMN = [
  ...['id', 'name', 'linkName', 'serviceId', 'scopes', 'useLoginUserCredentials', 'ownerId', 'extensionId'],
  ...['restrictedTo', 'establishedAt', 'createdAt', 'updatedAt'],
].map((c) => `c.${c}`);

describe('listColumns', () => {
  test('without a selection: every column the list read before, the whole authorization', () => {
    const { columns, wholeAuthorization } = listColumns();
    expect(wholeAuthorization).toBe(true);
    expect([...columns].sort()).toEqual([...EVERY_COLUMN, 'o.id', 'o.email', 'o.displayName'].sort());
  });

  test('every field of a connection asked: the same as no selection', () => {
    const connection = buildSchema(fs.readFileSync(SDL_FILE, 'utf8')).getType(
      'Connection',
    ) as GraphQLObjectType;
    const every = new Set(Object.keys(connection.getFields()));
    expect(every.size).toBeGreaterThan(15);
    expect(listColumns(every)).toEqual(listColumns());
  });

  test('a narrow selection reads fewer columns, still those access and the view always need', () => {
    const narrow = listColumns(new Set(['id', 'name', 'linkName', 'status', 'service', 'owner']));
    expect(narrow.wholeAuthorization).toBe(false);
    expect(narrow.columns).toEqual([
      ...[
        'c.id',
        'c.serviceId',
        'c.ownerId',
        'c.useLoginUserCredentials',
        'c.restrictedTo',
        'c.establishedAt',
      ],
      ...['a.id', 'a.principalId', 'a.status', 'c.name', 'c.linkName', 'o.id', 'o.email', 'o.displayName'],
      ...['a.refreshStartedAt', 'a.lastError'],
    ]);
    // 16 columns where every field reads 27 (15 here and the 12 the store lists for the authorization).
    expect(narrow.columns.filter((c) => c.startsWith('c.')).length).toBeLessThan(EVERY_COLUMN.length);
  });

  test('fields that need no column of their own, and the order they are asked in, change nothing', () => {
    const onlyId = listColumns(new Set(['id', '__typename', 'relation', 'viewerCan', 'health']));
    expect(onlyId.columns).toEqual(listColumns(new Set()).columns);
    expect(onlyId.columns).toHaveLength(9);
    expect(listColumns(new Set(['owner', 'name'])).columns).toEqual(
      listColumns(new Set(['name', 'owner'])).columns,
    );
  });
});
