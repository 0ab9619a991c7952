import { AsyncLocalStorage } from 'node:async_hooks';
import type { Agent as HttpAgent, ClientRequest, RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import { AuthFlowError } from '../errors';

/**
 * The node:http agents every request grant makes goes through: the OAuth 1.0a request-token and access-token
 * steps, the OAuth 2.0 code exchange and the profile request. grant sends them with request-compose on
 * node:http, not undici, so a host that guards its outgoing requests passes agents that apply its policy.
 */
export interface GrantAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** What went wrong below grant during one run: grant itself keeps only an error's message. */
interface RunRecord {
  failure?: Error & { code?: string };
}

const runs = new AsyncLocalStorage<RunRecord>();

/** Failures of the host's agents that end the flow, whatever grant makes of them. */
const FLOW_ENDING = new Set(['HOST_NOT_ALLOWED', 'RESPONSE_TOO_LARGE']);

type AgentLike = { addRequest(req: ClientRequest, options: RequestOptions): void };

/**
 * request-compose passes one `agent` to node:http for both schemes, so this object picks the agent by the
 * request's protocol. It declares no protocol and no default port (node:http would refuse the other
 * scheme): node:http then fills a missing port with the number 80, while an explicit port comes from the
 * URL as a string, which tells the two apart. The Host header node:http built with that port is rewritten.
 */
function dispatcher(agents: GrantAgents): AgentLike {
  return {
    addRequest(req, options) {
      const tls = options.protocol === 'https:';
      const defaulted = options.port === 80;
      const port = defaulted ? (tls ? 443 : 80) : Number(options.port);
      if (defaulted && !req.headersSent) {
        const host = String(options.host ?? options.hostname ?? '');
        req.setHeader('host', isIP(host) === 6 ? `[${host}]` : host);
      }
      const record = runs.getStore();
      if (record)
        req.once('error', (error: Error & { code?: string }) => {
          if (!record.failure && FLOW_ENDING.has(String(error.code))) record.failure = error;
        });
      const agent = (tls ? agents.https : agents.http) as unknown as AgentLike;
      agent.addRequest(req, { ...options, port });
    },
  };
}

/** grant's `request` defaults: the agents, a time limit, and no redirect followed (the profile GET). */
export function grantRequestOptions(agents: GrantAgents | undefined, timeoutMs: number) {
  // A profile URL that redirects would take the bearer token along to wherever it points.
  const base = { timeout: timeoutMs, redirect: { max: 0 } };
  return agents ? { ...base, agent: dispatcher(agents) } : base;
}

/**
 * Runs `fn` (one grant invocation) and reports a request the host's agents refused (a host outside the
 * network policy) or cut off (an answer over the size limit), which grant would otherwise reduce to a
 * message or ignore (a failed profile request still "succeeds").
 */
export async function withGrantRecord<T>(
  context: string,
  fn: () => Promise<T>,
): Promise<{ result: T; failure?: AuthFlowError }> {
  const record: RunRecord = {};
  const result = await runs.run(record, fn);
  const error = record.failure;
  if (!error) return { result };
  const failure =
    error.code === 'HOST_NOT_ALLOWED'
      ? new AuthFlowError('HOST_NOT_ALLOWED', `${context}: ${error.message}`)
      : new AuthFlowError('MALFORMED_TOKEN_RESPONSE', `${context}: ${error.message}`);
  return { result, failure };
}
