import { Browser } from '../test-support/browser';
import { startHostApp, type HostApp } from '../test-support/host-app';
import { startOidcServer, type OidcClient, type OidcServer } from '../test-support/oidc';
import type { ServiceDefinition } from '../types';
import type { FlowStateStore } from './attempt-session-store';
import type { AttemptConfig } from './grant-config';

/** What a host's database would be: JSON text per attempt, shared by every replica. */
class SharedFlowState implements FlowStateStore {
  readonly rows = new Map<string, string>();
  async load(attemptId: string) {
    const row = this.rows.get(attemptId);
    return row ? (JSON.parse(row) as Record<string, unknown>) : null;
  }
  async save(attemptId: string, state: Record<string, unknown>) {
    this.rows.set(attemptId, JSON.stringify(state));
  }
  async clear(attemptId: string) {
    this.rows.delete(attemptId);
  }
  state(attemptId: string) {
    const row = this.rows.get(attemptId);
    return row
      ? (JSON.parse(row) as { grant?: Record<string, unknown> } & Record<string, unknown>)
      : undefined;
  }
}

const attempts = new Map<string, AttemptConfig>();
const flowState = new SharedFlowState();
let a: HostApp;
let b: HostApp;
let oidc: OidcServer;
let client: OidcClient;
let counter = 0;

function newAttempt(service: ServiceDefinition): string {
  counter += 1;
  const id = `state-attempt-${counter}`;
  attempts.set(id, {
    service,
    client: { clientId: client.client_id, clientSecret: client.client_secret },
    scopes: [],
  });
  return id;
}

const serviceFor = (server: OidcServer): ServiceDefinition => ({
  slug: 'oidc-state',
  displayName: 'OIDC state',
  authType: 'OAUTH2',
  paramType: 'HEADERS',
  authorizeUrl: server.authorizeUrl,
  accessTokenUrl: server.tokenUrl,
  profileUrl: server.userinfoUrl,
  scopes: ['openid', 'email'],
  defaultScopes: ['openid', 'email'],
  scopeDelimiter: ' ',
  apiBaseUrls: [`${server.issuer}/`],
  tokenEndpointAuthMethod: 'client_secret_post',
});

/** The provider's redirect back, unvisited. */
async function untilCallback(browser: Browser, app: HostApp, attemptId: string): Promise<URL> {
  const page = await browser.follow(app.connectUrl(attemptId), (url) => url.startsWith(app.redirectUri));
  expect(page.stoppedAt).toBeDefined();
  return new URL(page.stoppedAt!);
}

/** The same callback delivered to another replica (what a balancer without stickiness may do). */
const onReplica = (callback: URL, replica: HostApp) => {
  const moved = new URL(callback);
  moved.port = String(replica.port);
  return moved.toString();
};

beforeAll(async () => {
  // Both replicas answer on one public URL (the balancer's): A's, where the provider sends the browser back.
  a = await startHostApp({ flowState, attempts });
  b = await startHostApp({ flowState, attempts, publicUrl: a.url });
  client = {
    client_id: 'flow-state',
    client_secret: 'flow-state-secret-000',
    redirect_uris: [a.redirectUri],
    token_endpoint_auth_method: 'client_secret_post',
  };
  oidc = await startOidcServer([client]);
}, 60_000);

afterAll(async () => {
  await oidc.stop();
  await a.close();
  await b.close();
});

describe('flow state kept per attempt (flowState option)', () => {
  it('the session id is the attempt id: a flow started on one replica completes on another', async () => {
    const browser = new Browser();
    const attemptId = newAttempt(serviceFor(oidc));
    const callback = await untilCallback(browser, a, attemptId);

    const stored = flowState.state(attemptId)!;
    expect(stored.grant).toMatchObject({ state: callback.searchParams.get('state') });
    expect(stored.grant!.code_verifier).toEqual(expect.any(String));

    const page = await browser.get(onReplica(callback, b));
    expect(page.status).toBe(200);
    expect(a.completions.filter((c) => c.attemptId === attemptId)).toHaveLength(0);
    const done = b.completions.filter((c) => c.attemptId === attemptId);
    expect(done).toHaveLength(1);
    expect(done[0]!.outcome.ok).toBe(true);
    // What is left holds nothing of the flow (the host also stops keeping anything for a finished attempt).
    expect(flowState.state(attemptId)?.grant).toBeUndefined();
  });

  it('a second connect in the same browser starts a fresh session and ends the first flow', async () => {
    const browser = new Browser();
    const first = newAttempt(serviceFor(oidc));
    const firstCallback = await untilCallback(browser, a, first);
    const second = newAttempt(serviceFor(oidc));
    const secondCallback = await untilCallback(browser, a, second);
    expect(flowState.rows.has(first)).toBe(false);
    expect(flowState.state(second)!.grant).toMatchObject({ state: secondCallback.searchParams.get('state') });

    const before = b.completions.length;
    expect((await browser.get(onReplica(firstCallback, b))).status).toBe(400);
    expect(b.completions[before]).toMatchObject({
      attemptId: undefined,
      outcome: { ok: false, error: { code: 'STATE_MISMATCH' } },
    });
    expect((await browser.get(secondCallback.toString())).status).toBe(200);
    expect(a.completions.filter((c) => c.attemptId === second)).toMatchObject([{ outcome: { ok: true } }]);
  });

  it('without it (the in-memory default) the other replica knows no flow', async () => {
    const plainA = await startHostApp({ attempts });
    const plainB = await startHostApp({ attempts, publicUrl: plainA.url });
    const other = await startOidcServer([{ ...client, redirect_uris: [plainA.redirectUri] }]);
    try {
      const browser = new Browser();
      const attemptId = newAttempt(serviceFor(other));
      const callback = await untilCallback(browser, plainA, attemptId);
      expect(flowState.rows.has(attemptId)).toBe(false);
      expect((await browser.get(onReplica(callback, plainB))).status).toBe(400);
      expect(plainB.completions).toMatchObject([
        { attemptId: undefined, outcome: { ok: false, error: { code: 'NO_FLOW_IN_PROGRESS' } } },
      ]);
    } finally {
      await other.stop();
      await plainA.close();
      await plainB.close();
    }
  });
});
