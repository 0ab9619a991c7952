import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { AuthorizationAttemptRow, AuthorizationRow, ConnectionRow, ServiceRow } from '../db/entities';
import type { AuthorizationStatus } from '../db/entities/authorization';
import { newId } from '../db/entities/base';
import {
  addMember,
  type Auth,
  databases,
  type GqlResult,
  startTestServer,
  type TestServer,
} from '../test-support/server';

jest.setTimeout(60_000);

const SDL_FILE = path.resolve(__dirname, '../../../../packages/schema/schema.graphql');
const USER = '{ id email displayName }';
// Every field of a connection, every sub-field of its objects.
const EVERY_FIELD = `id name linkName scopes useLoginUserCredentials extensionId status finished unfinishedExpiresAt
  createdAt updatedAt relation owner ${USER} viewerCan { use connect manage } restriction { members ${USER} }
  service { id slug name authType } health { calls24h errors24h lastUsedAt lastSuccessAt }
  authorization { id principal ${USER} status grantedScopes missingScopes hasRefreshToken expiresAt
    account { id name } lastError connectedAt updatedAt }`;
// The benchmark's fields (bench/graphql-list.mjs), through a fragment and an alias.
const NARROW = 'id name linkName status service { name authType } owner { email }';
const list = (fields: string) =>
  `query { connections(first: 50) { totalCount ...Page } }
   fragment Page on ConnectionPage { items: nodes { ${fields} } }`;

type Node = Record<string, unknown>;

describe.each(databases())('the list reads the columns of the fields asked (%s)', (db) => {
  let t: TestServer;
  const who: Record<'admin' | 'member', Auth> = {} as never;

  const nodes = async (auth: Auth, fields: string): Promise<Node[]> => {
    const r: GqlResult = await t.gql(list(fields), {}, auth);
    if (r.errors) throw new Error(r.raw);
    return r.data!.connections.items;
  };

  beforeAll(async () => {
    t = await startTestServer(db, {}, { backgroundJobs: false });
    who.admin = await t.adminAuth();
    const m = await addMember(t, 'columns@example.com');
    who.member = m.auth;
    const r = await t.gql('{ viewer { user { id } workspace { id } } }', {}, who.admin);
    const adminId: string = r.data!.viewer.user.id;
    const workspaceId: string = r.data!.viewer.workspace.id;
    await t.gql(
      'mutation { createConnection(input: {name: "Seed", service: "github"}) { id } }',
      {},
      who.admin,
    );
    const github = await t.server.ds
      .getRepository(ServiceRow)
      .findOneByOrFail({ workspaceId, slug: 'github' });
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const connection = (ownerId: string, over: Partial<ConnectionRow>): Partial<ConnectionRow> => {
      const id = newId();
      return {
        id,
        workspaceId,
        name: `C ${id.slice(0, 8)}`,
        linkName: `c_${id.slice(0, 8)}`,
        ownerId,
        ...over,
      };
    };
    const base = { serviceId: github.id, scopes: ['repo', 'user'], establishedAt: ago(60) };
    const rows = [
      connection(adminId, { ...base, useLoginUserCredentials: false }),
      connection(adminId, { ...base, useLoginUserCredentials: true }),
      connection(m.userId, { ...base, restrictedTo: [] }),
      connection(adminId, { ...base, restrictedTo: [m.userId] }),
      connection(m.userId, { ...base, establishedAt: null }),
    ];
    await t.server.ds.getRepository(ConnectionRow).save(rows);
    const authorization = (i: number, principalId: string, status: AuthorizationStatus, over = {}) => ({
      id: newId(),
      workspaceId,
      connectionId: rows[i]!.id!,
      principalId,
      status,
      grantedScopes: ['repo'],
      ...over,
    });
    const auths = [
      authorization(0, adminId, 'CONNECTED', {
        ...{ expiresAt: ago(-30), accountId: 'acct-1', accountName: 'Octo', connectedAt: ago(50) },
        hasRefreshToken: true,
      }),
      // A refresh whose holder died ten minutes ago, after a failure: reads REFRESH_FAILED.
      authorization(1, m.userId, 'REFRESHING', { refreshStartedAt: ago(10), lastError: 'invalid_grant' }),
      authorization(2, m.userId, 'NEEDS_REAUTH'),
      authorization(4, m.userId, 'PENDING'),
    ];
    await t.server.ds.getRepository(AuthorizationRow).save(auths);
    await t.server.ds.getRepository(AuthorizationAttemptRow).save({
      id: newId(),
      workspaceId,
      connectionId: rows[4]!.id!,
      authorizationId: auths[3]!.id,
      principalId: m.userId,
      userId: m.userId,
      expiresAt: ago(-15),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the query above asks for every field a connection has', () => {
    const connection = buildSchema(fs.readFileSync(SDL_FILE, 'utf8')).getType(
      'Connection',
    ) as GraphQLObjectType;
    for (const field of Object.keys(connection.getFields()))
      expect(EVERY_FIELD).toMatch(new RegExp(`(^|\\s)${field}(\\s|$)`));
  });

  test.each(['admin', 'member'] as const)(
    'every field asked: the same nodes as reading every column (%s)',
    async (as) => {
      const list = jest.spyOn(t.server.services.connections, 'list');
      try {
        const asked = await nodes(who[as], EVERY_FIELD);
        const [viewer, filter, window] = list.mock.calls[0]!;
        expect(filter.fields).toBeDefined();
        const everyColumn = await t.server.services.connections.list(
          viewer,
          { ...filter, fields: undefined },
          window,
        );
        expect((await t.server.services.connections.list(viewer, filter, window)).nodes).toEqual(
          everyColumn.nodes,
        );
        // The seeded cases show up: a restriction naming the member, one not finished, the stale refresh.
        expect(asked.length).toBeGreaterThanOrEqual(as === 'admin' ? 5 : 4);
        if (as === 'member') {
          expect(asked.some((n) => n.unfinishedExpiresAt)).toBe(true);
          expect(asked.some((n) => (n.restriction as { members: Node[] } | null)?.members.length)).toBe(true);
          expect(asked.some((n) => n.status === 'REFRESH_FAILED')).toBe(true);
        } else expect(asked.some((n) => (n.authorization as Node | null)?.missingScopes)).toBe(true);
      } finally {
        list.mockRestore();
      }
    },
  );

  test.each(['admin', 'member'] as const)(
    'a narrow query reads fewer columns and the same values (%s)',
    async (as) => {
      const logged = jest.spyOn(t.server.ds.logger, 'logQuery');
      try {
        const every = await nodes(who[as], EVERY_FIELD);
        const narrow = await nodes(who[as], NARROW);
        const pages = logged.mock.calls
          .map(([sql]) => sql)
          .filter((sql) => /FROM "connection" "c".* LIMIT 51/s.test(sql));
        expect(pages).toHaveLength(2);
        const columns = pages.map((sql) => sql.split(' FROM ')[0]!.split(' AS ').length - 1);
        expect(columns[0]).toBe(27);
        expect(columns[1]).toBe(16);
        expect(pages[1]).not.toContain('"grantedScopes"');
        const project = (n: Node) => ({
          id: n.id,
          name: n.name,
          linkName: n.linkName,
          status: n.status,
          service: { name: (n.service as Node).name, authType: (n.service as Node).authType },
          owner: { email: (n.owner as Node).email },
        });
        expect(narrow).toEqual(every.map(project));
      } finally {
        logged.mockRestore();
      }
    },
  );
});
