import type { OAuth2Credentials } from '../types';
import { needsRefresh, refreshDueAt, refreshLeadMs } from './needs-refresh';

const MIN = 60_000;
const ISSUED = 1_000_000;
const token = (lifetimeMs: number | undefined): OAuth2Credentials => ({
  type: 'OAUTH2',
  accessToken: 'a',
  tokenType: 'bearer',
  scopes: [],
  issuedAt: ISSUED,
  ...(lifetimeMs === undefined ? {} : { expiresAt: ISSUED + lifetimeMs }),
});

describe('refresh margin scaled by the token lifetime', () => {
  it('a long-lived token keeps the fixed margin plus skew', () => {
    expect(refreshLeadMs(token(60 * MIN))).toBe(5 * MIN + 30_000);
    expect(refreshDueAt(token(60 * MIN))).toBe(1_000_000 + 60 * MIN - 5.5 * MIN);
  });

  it('a 300 s token (Keycloak) is due at half its life, not from the moment it was issued', () => {
    const t = token(300_000);
    expect(refreshLeadMs(t)).toBe(150_000);
    expect(needsRefresh(t, 1_000_000)).toBe(false);
    expect(needsRefresh(t, 1_000_000 + 149_999)).toBe(false);
    expect(needsRefresh(t, 1_000_000 + 150_000)).toBe(true);
  });

  it.each([1_000, 30_000, 330_000, 331_000, 600_000, 86_400_000])(
    'a freshly issued token living %i ms is never due',
    (lifetime) => {
      expect(needsRefresh(token(lifetime), 1_000_000)).toBe(false);
      expect(needsRefresh(token(lifetime), 1_000_000 + lifetime)).toBe(true);
    },
  );

  it('the fraction and the margin are options', () => {
    expect(refreshLeadMs(token(300_000), { lifetimeFraction: 0.2 })).toBe(60_000);
    expect(refreshLeadMs(token(300_000), { marginMs: 10_000, clockSkewMs: 5_000 })).toBe(15_000);
  });

  it('without a known issue time (stored before it was recorded) the fixed margin applies', () => {
    const { issuedAt: _, ...legacy } = token(300_000);
    expect(refreshLeadMs(legacy)).toBe(5.5 * MIN);
    expect(needsRefresh(legacy, 1_000_000)).toBe(true);
  });

  it('never due: no expiry, or not OAuth 2.0', () => {
    expect(refreshDueAt(token(undefined))).toBeUndefined();
    expect(refreshDueAt({ type: 'BASIC', username: 'u', password: 'p' })).toBeUndefined();
    expect(needsRefresh(token(undefined), Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
