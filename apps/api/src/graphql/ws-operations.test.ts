import type { GraphQLSchema } from 'graphql';
import { loadConfig } from '../config';
import type { Viewer } from '../domain/viewer';
import type { AppServices, GqlContext } from './context';
import { buildApiSchema } from './schema';
import type { SocketHandle } from './socket-registry';
import { operationGuard } from './ws-operations';

const admin: Viewer = {
  userId: 'u1',
  workspaceId: 'w',
  role: 'ADMIN',
  authMethod: 'API_TOKEN',
  apiTokenId: 't1',
  user: { id: 'u1', email: 'u1@example.com', displayName: 'u1' },
};

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildApiSchema();
});

function guard() {
  const config = loadConfig({ NODE_ENV: 'test', GRAPHQL_WS_MAX_SUBSCRIPTIONS: '2' });
  return operationGuard(schema, { config } as AppServices);
}

const handle = (refresh: () => Promise<Viewer | null>): SocketHandle => ({
  current: () => admin,
  refresh,
  forget: () => {},
});

test('an operation runs as the viewer resolved for it, and its subscription filters with the socket now', async () => {
  const socket = handle(async () => admin);
  const args = await guard()(1, { query: '{ viewer { authMethod } }' }, socket);
  expect(Array.isArray(args)).toBe(false);
  const context = (args as { contextValue: GqlContext }).contextValue;
  expect(context.viewer).toBe(admin);
  expect(context.currentViewer).toBe(socket.current);
});

test('credentials that no longer hold run nothing: UNAUTHENTICATED (the socket is closed 4403 by refresh)', async () => {
  const refresh = jest.fn(async () => null);
  const refused = await guard()(1, { query: '{ viewer { authMethod } }' }, handle(refresh));
  expect(refresh).toHaveBeenCalledTimes(1);
  expect(refused).toEqual([
    expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
  ]);
});

test('past GRAPHQL_WS_MAX_SUBSCRIPTIONS running operations: TOO_MANY_SUBSCRIPTIONS, before any lookup', async () => {
  const refresh = jest.fn(async () => admin);
  const refused = await guard()(3, { query: '{ viewer { authMethod } }' }, handle(refresh));
  expect(refused).toEqual([
    expect.objectContaining({ extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS' }) }),
  ]);
  expect(refresh).not.toHaveBeenCalled();
});
