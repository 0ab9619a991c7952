import type { Credentials } from '@connections/auth-flows';
import { type DataSource, type EntityManager, In, Not, type SelectQueryBuilder } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box';
import { AuthorizationRow, type ConnectionRow, UserRow } from '../db/entities';
import type { AuthorizationStatus } from '../db/entities/authorization';
import { hydrate } from '../db/hydrate';
import { type ConnectionAccess, principalFor, principalSql } from './access';
import { openCredentials } from './credentials-store';
import type { Viewer } from './viewer';

export type { AuthorizationStatus };

/** Statuses whose stored credentials an invocation may use (a failed refresh is retried on the next call). */
export const USABLE: readonly AuthorizationStatus[] = ['CONNECTED', 'REFRESHING', 'REFRESH_FAILED'];

/** Statuses under which a login-user connection counts as authorized by that user (its SHARED list). */
export const AUTHORIZED: readonly AuthorizationStatus[] = [
  'CONNECTED',
  'REFRESHING',
  'REFRESH_FAILED',
  'NEEDS_REAUTH',
];

// What a list shows; every column a row carries costs on every row of every page. Never the credentials.
const LIST_COLUMNS = [
  'id',
  'principalId',
  'status',
  'grantedScopes',
  'expiresAt',
  'accountId',
  'accountName',
  'lastError',
  'connectedAt',
  'updatedAt',
  'hasRefreshToken',
  'refreshStartedAt',
];

export type Person = { id: string; email: string; displayName: string };

export type UsableCredentials =
  | { authorization: AuthorizationRow; credentials: Credentials }
  | { authorization?: undefined; status: AuthorizationStatus | undefined };

/**
 * Reading authorizations: together with AuthorizationTransitions (the writes), the only code that touches
 * authorization rows. It owns the status sets and the lookups; the principal rule comes from access.ts.
 */
export class AuthorizationStore {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
  ) {}

  find(connectionId: string, principalId: string, m: EntityManager = this.ds.manager) {
    return m.findOneBy(AuthorizationRow, { connectionId, principalId });
  }

  /** Every authorization of a connection (to revoke them all at the provider before it goes). */
  allOf(connectionId: string): Promise<AuthorizationRow[]> {
    return this.ds.getRepository(AuthorizationRow).findBy({ connectionId });
  }

  /** Every authorization a user holds in a workspace that is not revoked yet (they are leaving it). */
  heldBy(principalId: string, workspaceId: string): Promise<AuthorizationRow[]> {
    return this.ds
      .getRepository(AuthorizationRow)
      .findBy({ principalId, workspaceId, status: Not('REVOKED') });
  }

  /** The authorization the viewer would use on each connection, in one query, keyed by connection id. */
  async forViewer(viewer: Viewer, connections: (ConnectionAccess & { id: string })[]) {
    if (connections.length === 0) return new Map<string, AuthorizationRow>();
    const principals = new Map(connections.map((c) => [c.id, principalFor(viewer, c)]));
    const rows = await this.ds.getRepository(AuthorizationRow).findBy({
      connectionId: In([...principals.keys()]),
      principalId: In([...new Set(principals.values())]),
    });
    return new Map(
      rows.filter((a) => principals.get(a.connectionId) === a.principalId).map((a) => [a.connectionId, a]),
    );
  }

  /**
   * The credentials an invocation by the viewer uses: the principal's, when their authorization is in a usable
   * status; otherwise the status there is (undefined: no authorization at all).
   */
  async usable(viewer: Viewer, connection: ConnectionRow): Promise<UsableCredentials> {
    const auth = await this.find(connection.id, principalFor(viewer, connection));
    const credentials = auth && USABLE.includes(auth.status) ? this.credentialsOf(auth) : null;
    if (!auth || !credentials) return { status: auth?.status };
    return { authorization: auth, credentials };
  }

  /** The stored row and its credentials, read again (a refresher that waited for the lock). */
  async reload(id: string): Promise<{ row: AuthorizationRow; credentials: Credentials | null }> {
    const row = await this.ds.getRepository(AuthorizationRow).findOneByOrFail({ id });
    return { row, credentials: this.credentialsOf(row) };
  }

  /** Decrypts an authorization's credentials. Callers must never log or return them. */
  credentialsOf(auth: Pick<AuthorizationRow, 'id' | 'credentialsEncrypted'>): Credentials | null {
    return openCredentials(this.box, auth);
  }

  /** The user behind a principal id: the viewer without a query when it is them. */
  async person(principalId: string, viewer?: Viewer, m: EntityManager = this.ds.manager): Promise<Person> {
    if (viewer?.userId === principalId) return viewer.user;
    const u = await m.findOneByOrFail(UserRow, { id: principalId });
    return { id: u.id, email: u.email, displayName: u.displayName };
  }

  /**
   * For the connection list's single statement: joins each connection (alias `c`) to the authorization the
   * viewer would use (alias `a`), selecting its list columns. The statement must set `me` and `yes`.
   */
  joinViewerAuthorization(qb: SelectQueryBuilder<ConnectionRow>): SelectQueryBuilder<ConnectionRow> {
    return qb.leftJoin(
      AuthorizationRow,
      'a',
      `"a"."connectionId" = "c"."id" AND "a"."principalId" = ${principalSql('c')}`,
    );
  }

  selectListColumns(qb: SelectQueryBuilder<ConnectionRow>): SelectQueryBuilder<ConnectionRow> {
    return qb.addSelect(LIST_COLUMNS.map((c) => `a.${c}`));
  }

  /** The joined authorization of a raw list row, or undefined when the viewer's principal has none. */
  hydrateListRow(raw: Record<string, unknown>): AuthorizationRow | undefined {
    return raw.a_id == null ? undefined : hydrate(this.ds, AuthorizationRow, raw, 'a');
  }

  /**
   * Authorizations the background refresh should refresh now: in use (an invocation since `usedSince`),
   * renewable, due before `dueBefore`, not backing off; soonest due first (refreshDueAt is indexed). Renewable:
   * a refresh token, or a client-credentials service (RFC 6749 section 4.4.3: no refresh token, the client
   * requests a new token itself): a custom one by its row, a catalog one by its slug (`clientCredentialsSlugs`).
   */
  dueForRefresh(q: {
    dueBefore: Date;
    usedSince: Date;
    now: Date;
    limit: number;
    clientCredentialsSlugs?: readonly string[];
  }): Promise<AuthorizationRow[]> {
    const slugs = q.clientCredentialsSlugs ?? [];
    const byCatalog = slugs.length ? ` OR ("s"."kind" = 'DEFAULT' AND "s"."slug" IN (:...slugs))` : '';
    const clientCredentials =
      'SELECT "c"."id" FROM "connection" "c" INNER JOIN "service" "s" ON "s"."id" = "c"."serviceId" ' +
      `WHERE "s"."grantType" = :cc${byCatalog}`;
    return this.ds
      .getRepository(AuthorizationRow)
      .createQueryBuilder('a')
      .where('"a"."refreshDueAt" <= :dueBefore', q)
      .andWhere('"a"."status" IN (:...refreshable)', {
        refreshable: ['CONNECTED', 'REFRESH_FAILED', 'REFRESHING'],
      })
      .andWhere(`("a"."hasRefreshToken" = :yes OR "a"."connectionId" IN (${clientCredentials}))`, {
        yes: true,
        cc: 'client_credentials',
        slugs,
      })
      .andWhere('"a"."lastUsedAt" >= :usedSince', q)
      .andWhere('("a"."nextRefreshAt" IS NULL OR "a"."nextRefreshAt" <= :now)', q)
      .orderBy('"a"."refreshDueAt"', 'ASC')
      .limit(q.limit)
      .getMany();
  }

  /** How many authorizations there are in each status, across workspaces (for the metrics endpoint). */
  async countByStatus(): Promise<{ status: string; count: number }[]> {
    const rows = await this.ds
      .getRepository(AuthorizationRow)
      .createQueryBuilder('a')
      .select('a.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('a.status')
      .getRawMany<{ status: string; n: string | number }>();
    return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
  }

  /** Principal ids holding an authorization of the connection (each hears that it was deleted). */
  async principalsOf(connectionId: string, m: EntityManager): Promise<string[]> {
    const rows = await m.find(AuthorizationRow, { where: { connectionId }, select: { principalId: true } });
    return rows.map((a) => a.principalId);
  }
}
