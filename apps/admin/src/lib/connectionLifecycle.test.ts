import { accessLifetime, deletedConnection, deletedText, unfinishedNotice } from './connectionLifecycle';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const IN_AN_HOUR = '2026-03-01T13:00:00.000Z';
const AN_HOUR_AGO = '2026-03-01T11:00:00.000Z';

describe('how long the access lasts', () => {
  test('"refreshed automatically" only with a refresh token', () => {
    const withRefresh = accessLifetime({ expiresAt: IN_AN_HOUR, hasRefreshToken: true }, NOW);
    expect(withRefresh.text).toMatch(/in 1 hour; refreshed automatically\)$/);
    expect(withRefresh.advice).toBeNull();

    const without = accessLifetime({ expiresAt: IN_AN_HOUR, hasRefreshToken: false }, NOW);
    expect(without.text).not.toMatch(/refreshed automatically/);
    expect(without.text).toMatch(/in 1 hour; not refreshed\)$/);
    expect(without.advice).toMatch(/no refresh token.*Reconnect before then/);
  });

  test('an access that ended without a refresh token says to reconnect', () => {
    const ended = accessLifetime({ expiresAt: AN_HOUR_AGO, hasRefreshToken: false }, NOW);
    expect(ended.text).toMatch(/1 hour ago/);
    expect(ended.advice).toMatch(/has ended.*Reconnect/);
  });

  test('client credentials: no refresh token, yet renewed automatically, with no advice to reconnect', () => {
    const machine = { authType: 'OAUTH2', grantType: 'CLIENT_CREDENTIALS' } as const;
    for (const expiresAt of [IN_AN_HOUR, AN_HOUR_AGO]) {
      const renewed = accessLifetime({ expiresAt, hasRefreshToken: false }, NOW, machine);
      expect(renewed.text).toMatch(/; renewed automatically with the client credentials\)$/);
      expect(renewed.advice).toBeNull();
    }
    const code = { authType: 'OAUTH2', grantType: 'AUTHORIZATION_CODE' } as const;
    expect(accessLifetime({ expiresAt: IN_AN_HOUR, hasRefreshToken: false }, NOW, code).advice).toMatch(
      /Reconnect before then/,
    );
  });

  test('credentials that do not expire, and no authorization at all', () => {
    expect(accessLifetime({ expiresAt: null, hasRefreshToken: false }, NOW)).toEqual({
      text: 'Does not expire',
      advice: null,
    });
    expect(accessLifetime(null, NOW)).toEqual({ text: '—', advice: null });
  });
});

describe('not finished', () => {
  test('a finished connection has no notice', () => {
    expect(unfinishedNotice({ finished: true, unfinishedExpiresAt: null }, NOW)).toBeNull();
  });

  test('a not-finished one says who sees it, when it goes, and what to do', () => {
    const text = unfinishedNotice({ finished: false, unfinishedExpiresAt: IN_AN_HOUR }, NOW)!;
    expect(text).toMatch(/^Not finished: .*only you see it/);
    expect(text).toMatch(/removed in 1 hour/);
    expect(text).toMatch(/link name is released/);
    expect(text).toMatch(/Resume .* Discard/);
    expect(unfinishedNotice({ finished: false, unfinishedExpiresAt: null }, NOW)).not.toMatch(/removed/);
  });
});

describe('a deleted connection', () => {
  const audit = [
    {
      action: 'connection.deleted',
      connectionId: 'c2',
      createdAt: AN_HOUR_AGO,
      actor: { email: 'root@example.com', displayName: 'Root' },
      metadata: { linkName: 'other' },
    },
    {
      action: 'connection.deleted',
      connectionId: 'c1',
      createdAt: AN_HOUR_AGO,
      actor: { email: 'ada@example.com', displayName: 'Ada' },
      metadata: { linkName: 'crm' },
    },
    { action: 'connection.created', connectionId: 'c1', createdAt: AN_HOUR_AGO, actor: null, metadata: null },
  ];
  const events = [
    { type: 'AUTHORIZED', connectionId: 'c1', at: AN_HOUR_AGO, linkName: 'crm', message: 'authorized' },
    { type: 'DELETED', connectionId: 'c1', at: IN_AN_HOUR, linkName: 'crm', message: 'ada deleted crm' },
  ];

  test('the audit log names who and when', () => {
    expect(deletedConnection('c1', audit, events)).toEqual({
      by: 'Ada',
      at: AN_HOUR_AGO,
      linkName: 'crm',
      message: null,
    });
  });

  test('without the audit entry, the DELETED event says when, in its own words', () => {
    expect(deletedConnection('c1', [], events)).toEqual({
      by: null,
      at: IN_AN_HOUR,
      linkName: 'crm',
      message: 'ada deleted crm',
    });
  });

  test('nothing known: it may also be restricted or never have existed, and the text says so', () => {
    expect(deletedConnection('c9', audit, events)).toBeNull();
    expect(deletedText(null).title).toBe('This connection is not here');
    expect(deletedText(null).description).toMatch(/deleted, or it is restricted/);
  });

  test('the deleted state names the link name, who and when', () => {
    const t = deletedText(deletedConnection('c1', audit, events));
    expect(t.title).toBe('This connection was deleted');
    expect(t.description).toMatch(/^The connection crm was deleted by Ada on .+\. Calls through/);
    expect(deletedText(deletedConnection('c1', [], events)).description).toMatch(/\(ada deleted crm\)/);
  });
});
