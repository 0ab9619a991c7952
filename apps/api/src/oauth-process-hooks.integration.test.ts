import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, startProcess } from './test-support/server-process';
import { waitFor } from './test-support/wait';

jest.setTimeout(60_000);

// Loaded into the server with --import: on SIGUSR2 it reports whether promise hooks are on. A promise
// reaction that starts from a fresh macrotask gets an async id of its own only while they are (on Node 20
// and 22, AsyncLocalStorage turns them on with its first run, for the life of the process). With
// PROBE_ALS=1 it turns them on itself, which shows that the report can say "on".
const PROBE = `
import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
if (process.env.PROBE_ALS) new AsyncLocalStorage().run({}, () => {});
process.on('SIGUSR2', () =>
  setImmediate(() => Promise.resolve().then(() =>
    process.stderr.write('promise-hooks:' + (executionAsyncId() === 0 ? 'off' : 'on') + '\\n'))));
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-hooks-'));
const probe = path.join(dir, 'probe.mjs');
fs.writeFileSync(probe, PROBE);
const running: ChildProcess[] = [];
afterAll(() => {
  // A failed expectation leaves its server up: none may outlive the file.
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function server(name: string, extraEnv: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(dir, name));
  const started = await startProcess(dataDir, {
    NODE_OPTIONS: `--import=${probe}`,
    CONNECTIONS_ADMIN_PASSWORD: 'hooks-admin-password',
    CONNECTIONS_ALLOW_PRIVATE_NETWORKS: 'true',
    ...extraEnv,
  });
  running.push(started.child);
  let reports = 0;
  const hooks = async () => {
    reports++;
    started.child.kill('SIGUSR2');
    await waitFor(() => (started.output().match(/promise-hooks:(on|off)/g) ?? []).length === reports);
    return started
      .output()
      .match(/promise-hooks:(on|off)/g)!
      .at(-1)!
      .split(':')[1];
  };
  const stop = async () => {
    started.child.kill('SIGTERM');
    expect(await exited(started.child)).toBe(0);
  };
  return { ...started, hooks, stop };
}

async function gql(url: string, query: string, variables: unknown, cookie?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as any;
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return { data: json.data, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

describe('an OAuth flow in the server process', () => {
  test('Create and Connect up to the provider leaves promise hooks off for every later request', async () => {
    const api = await server('flow-');
    expect(await api.hooks()).toBe('off');
    const { cookie } = await gql(
      api.url,
      'mutation { signIn(input: {email: "admin@example.com", password: "hooks-admin-password"}) { role } }',
      {},
    );
    // The provider is never contacted: the flow runs here as far as the redirect to its authorize URL.
    const provider = 'http://127.0.0.1:9';
    const service = await gql(
      api.url,
      'mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { slug } }',
      {
        i: {
          name: 'Hooks provider',
          authType: 'OAUTH2',
          authorizeUrl: `${provider}/authorize`,
          accessTokenUrl: `${provider}/token`,
          apiBaseUrls: [`${provider}/`],
          clientId: 'hooks-client',
          clientSecret: 'hooks-secret',
        },
      },
      cookie,
    );
    const connect = await gql(
      api.url,
      'mutation($i: CreateAndConnectInput!) { createAndConnect(input: $i) { authorizeUrl } }',
      { i: { name: 'Hooks', service: service.data.createCustomService.slug } },
      cookie,
    );
    const res = await fetch(connect.data.createAndConnect.authorizeUrl, {
      headers: { cookie: cookie! },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:9\/authorize\?/);
    expect(await api.hooks()).toBe('off');
    await api.stop();
  });

  test('the report says "on" when they are', async () => {
    const api = await server('control-', { PROBE_ALS: '1' });
    expect(await api.hooks()).toBe('on');
    await api.stop();
  });
});
