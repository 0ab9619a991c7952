import http, { type ClientRequest, type RequestOptions } from 'node:http';
import https from 'node:https';
import { grantRequestOptions, withGrantRecord } from './grant-transport';

// grant sends its requests with request-compose on node:http: its own client, as grant calls it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grantClient = require('grant/lib/client') as (args: Record<string, unknown>) => Promise<unknown>;

interface Seen {
  agent: 'http' | 'https';
  port: unknown;
  host: unknown;
}

type AgentInternals = {
  addRequest(req: ClientRequest, options: RequestOptions): void;
  createConnection(options: RequestOptions, cb: (err: Error | null) => void): undefined;
};

/** Agents that record what they were handed and refuse to connect, as the host's guard does. */
function recordingAgents(seen: Seen[], code = 'HOST_NOT_ALLOWED') {
  const agents = { http: new http.Agent(), https: new https.Agent() };
  for (const kind of ['http', 'https'] as const) {
    const agent = agents[kind] as unknown as AgentInternals;
    const addRequest = agent.addRequest.bind(agent);
    agent.addRequest = (req, options) => {
      seen.push({ agent: kind, port: options.port, host: req.getHeader('host') });
      addRequest(req, options);
    };
    agent.createConnection = (options, cb) => {
      cb(Object.assign(new Error(`${options.host} is not reachable from here`), { code }));
      return undefined;
    };
  }
  return agents;
}

describe("grant's requests through the host's agents", () => {
  test.each([
    ['https://provider.example/token', 'https', 443, 'provider.example'],
    ['http://provider.example/token', 'http', 80, 'provider.example'],
    ['https://provider.example:8443/token', 'https', 8443, 'provider.example:8443'],
    ['http://provider.example:8080/token', 'http', 8080, 'provider.example:8080'],
    ['https://[2001:db8::1]/token', 'https', 443, '[2001:db8::1]'],
  ])('%s goes to the %s agent, port %s, Host %s', async (url, agent, port, host) => {
    const seen: Seen[] = [];
    const options = grantRequestOptions(recordingAgents(seen), 5_000);
    await expect(grantClient({ ...options, method: 'POST', url, form: { a: '1' } })).rejects.toThrow(
      /not reachable/,
    );
    expect(seen).toEqual([{ agent, port, host }]);
  });

  test('a refusal below grant is reported with its code, though grant keeps only the message', async () => {
    const seen: Seen[] = [];
    const { result, failure } = await withGrantRecord('Connecting X', async (record) => {
      const options = grantRequestOptions(recordingAgents(seen), 5_000, record);
      try {
        await grantClient({ ...options, method: 'POST', url: 'https://provider.example/token' });
        return 'sent';
      } catch (e) {
        return { error: (e as Error).message }; // what grant does with it
      }
    });
    expect(result).toEqual({ error: 'provider.example is not reachable from here' });
    expect(failure).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      message: expect.stringMatching(/^Connecting X: /),
    });
  });

  test('other failures (a refused connection, a timeout) are left to grant’s classification', async () => {
    const { failure } = await withGrantRecord('Connecting X', (record) => {
      const options = grantRequestOptions(recordingAgents([], 'ECONNREFUSED'), 5_000, record);
      return grantClient({ ...options, url: 'https://provider.example/me' }).catch(() => 'failed');
    });
    expect(failure).toBeUndefined();
  });

  test('each run hears only of its own requests, however the runs interleave', async () => {
    const refused = recordingAgents([]);
    const reachable = recordingAgents([], 'ECONNREFUSED');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const [first, second] = await Promise.all([
      withGrantRecord('Connecting A', async (record) => {
        await held; // the second run starts and sends first
        const options = grantRequestOptions(refused, 5_000, record);
        return grantClient({ ...options, url: 'https://a.example/token' }).catch(() => 'failed');
      }),
      withGrantRecord('Connecting B', async (record) => {
        const options = grantRequestOptions(reachable, 5_000, record);
        const sent = await grantClient({ ...options, url: 'https://b.example/token' }).catch(() => 'failed');
        release();
        return sent;
      }),
    ]);
    expect(first.failure).toMatchObject({ code: 'HOST_NOT_ALLOWED', message: /^Connecting A: / });
    expect(second.failure).toBeUndefined();
  });

  test('no redirect is followed (a profile URL would take the bearer token along)', () => {
    expect(grantRequestOptions(undefined, 5_000)).toMatchObject({ redirect: { max: 0 } });
  });
});
