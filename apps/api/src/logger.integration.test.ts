import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { SecretBox } from './crypto/secret-box';
import { ServiceRow, UserRow, WorkspaceRow } from './db/entities';
import { newId } from './db/entities/base';
import { hashPassword } from './domain/secrets';
import { formatError } from './graphql/errors';
import { createLogger, safeError } from './logger';
import { type DatabaseKind, databases, startTestServer, type TestServer } from './test-support/server';

/** Every substring of `secret` of `n` characters: none of them may appear in a log. */
const windows = (secret: string, n = 8) =>
  Array.from({ length: secret.length - n + 1 }, (_, i) => secret.slice(i, i + n));

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', sink), text: () => lines.join('') };
}

describe.each(databases())('failure logs carry no query values (%s)', (db) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(db);
  }, 60_000);
  afterAll(() => t?.close());

  /** A real failed write: the error the driver and TypeORM raise, with whatever they attach to it. */
  const failedWrite = async (write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (e) {
      return e;
    }
    throw new Error('the write was expected to fail');
  };

  test('a unique violation on a row holding a password hash, an email and a sealed secret logs none of them', async () => {
    const ds = t.server.ds;
    const email = `victim-${randomBytes(4).toString('hex')}@example.com`;
    const passwordHash = await hashPassword(`pw-${randomBytes(8).toString('hex')}`);
    await ds.getRepository(UserRow).insert({ id: newId(), email, displayName: 'Victim', passwordHash });
    const userError = await failedWrite(() =>
      ds.getRepository(UserRow).insert({ id: newId(), email, displayName: 'Again', passwordHash }),
    );

    const [workspace] = await ds.getRepository(WorkspaceRow).find({ take: 1 });
    const box = new SecretBox(randomBytes(32));
    const sealed = box.encrypt(`client-secret-${randomBytes(12).toString('hex')}`, {
      table: 'service',
      column: 'clientSecret',
      rowId: 'x',
    });
    const row = { workspaceId: workspace!.id, kind: 'DEFAULT' as const, slug: 'github', clientId: 'id' };
    await ds.getRepository(ServiceRow).insert({ id: newId(), ...row, clientSecretEncrypted: sealed });
    const serviceError = await failedWrite(() =>
      ds.getRepository(ServiceRow).insert({ id: newId(), ...row, clientSecretEncrypted: sealed }),
    );

    const { logger, text } = capturedLogger();
    for (const err of [userError, serviceError]) {
      logger.error({ err }, 'a write failed');
      logger.fatal({ err: new Error('start-up failed', { cause: err }) }, 'could not start');
    }
    // The development-mode GraphQL message (unmasked) goes through the same function.
    const unmasked = formatError(false, () => {})({ message: (userError as Error).message }, userError);
    const logged = text() + JSON.stringify(unmasked);

    for (const secret of [passwordHash, email, sealed])
      expect(windows(secret).filter((w) => logged.includes(w))).toEqual([]);
    // What stays is what an operator needs: the class, the code, the statement without its values.
    const first = JSON.parse(text().split('\n')[0]!);
    expect(first.err.type).toBe('QueryFailedError');
    expect(first.err.sql).toMatch(/INSERT INTO/i);
    expect(first.err).not.toHaveProperty('parameters');
    expect(first.err).not.toHaveProperty('driverError');
  });
});

// PostgreSQL only (its driver quotes values in messages); skipped, not an empty table, when DATABASE_URL is unset.
const postgres = databases().filter((d) => d === 'postgres');
(postgres.length ? test.each(postgres) : test.skip.each<DatabaseKind>(['postgres']))(
  'a driver message that quotes a value reaches neither the log nor an unmasked GraphQL error (%s)',
  async (db) => {
    const t = await startTestServer(db);
    try {
      const secret = `cnx_live_${randomBytes(16).toString('hex')}`;
      const error = await t.server.ds.query('SELECT $1::uuid', [secret]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).message).toContain(secret.slice(0, 12)); // the driver does quote it
      const { logger, text } = capturedLogger();
      logger.error({ err: error }, 'a query failed');
      const unmasked = formatError(false, () => {})({ message: (error as Error).message }, error);
      expect(windows(secret).filter((w) => (text() + JSON.stringify(unmasked)).includes(w))).toEqual([]);
    } finally {
      await t.close();
    }
  },
);

test('safeError keeps names of database objects and drops quoted values', () => {
  const e = Object.assign(new Error('invalid input syntax for type uuid: "cnx_live_0123456789abcdef"'), {
    severity: 'ERROR',
    code: '22P02',
    detail: 'Key (email)=(someone@example.com) already exists.',
  });
  const out = safeError(e);
  expect(out.message).toBe('invalid input syntax for type uuid: "…"');
  expect(out.code).toBe('22P02');
  expect(JSON.stringify(out)).not.toContain('someone@example.com');
  const unique = Object.assign(new Error('duplicate key value violates unique constraint "UQ_user_email"'), {
    severity: 'ERROR',
  });
  expect(safeError(unique).message).toBe('duplicate key value violates unique constraint "UQ_user_email"');
});
