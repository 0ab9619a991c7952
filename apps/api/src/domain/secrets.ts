import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

// OWASP Password Storage Cheat Sheet (scrypt): N=2^17, r=8, p=1, i.e. 128 MiB and about half a second per
// hash here. libuv runs at most 4 hashes at once (its thread pool), so sign-ins cannot take more than 512 MiB;
// the sign-in throttle stops a flood of wrong guesses before it reaches scrypt.
const N = 2 ** 17;
const R = 8;
const P = 1;
const KEYLEN = 64;
// Node refuses by default anything above 32 MiB; scrypt needs 128 * N * r bytes plus a little.
const MAXMEM = 256 * 1024 * 1024;
// A stored hash names its own cost: up to this one is accepted (older, cheaper hashes included).
const MAX_STORED_N = 2 ** 20;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

function parse(stored: string) {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const sane =
    alg === 'scrypt' &&
    !!salt &&
    !!hash &&
    Number.isInteger(cost.N) &&
    cost.N > 1 &&
    cost.N <= MAX_STORED_N &&
    cost.r >= 1 &&
    cost.r <= 32 &&
    cost.p >= 1 &&
    cost.p <= 16;
  return sane ? { ...cost, salt, hash } : undefined;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(parsed.salt, 'base64url'), expected.length, {
    N: parsed.N,
    r: parsed.r,
    p: parsed.p,
    maxmem: MAXMEM * (parsed.N > N ? parsed.N / N : 1),
  });
  return timingSafeEqual(actual, expected);
}

/** A hash made with other parameters than today's: re-hashed at the next successful sign-in. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.N !== N || parsed.r !== R || parsed.p !== P;
}

/**
 * A hash of nothing at today's cost, checked when the email is unknown so that a sign-in takes as long
 * either way (an account with an older, cheaper hash answers faster until its next sign-in re-hashes it).
 */
export const DUMMY_PASSWORD_HASH = ['scrypt', N, R, P, 'A'.repeat(22), 'A'.repeat(86)].join('$');

/** A random bearer value with a recognisable prefix (`cnx_live_...`, `cnx_sess_...`). */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
