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

/**
 * What went wrong below grant during one run: grant itself keeps only an error's message. Handed to that
 * run's agents explicitly rather than found through AsyncLocalStorage: on Node 20 and 22 the first
 * `AsyncLocalStorage.run` turns async hooks on for the whole process, for good, and every promise of every
 * later request pays for them (an await took about 220 ns instead of 70; a /proxy call makes about 25
 * promises, an invokeUrl call 48; issue 15).
 */
export interface GrantRunRecord {
  failure?: Error & { code?: string };
}

/** Failures of the host's agents that end the flow, whatever grant makes of them. */
const FLOW_ENDING = new Set(['HOST_NOT_ALLOWED', 'RESPONSE_TOO_LARGE']);

type AgentLike = { addRequest(req: ClientRequest, options: RequestOptions): void };

/**
 * request-compose passes one `agent` to node:http for both schemes, so this object picks the agent by the
 * request's protocol. It declares no protocol and no default port (node:http would refuse the other
 * scheme): node:http then fills a missing port with the number 80, while an explicit port comes from the
 * URL as a string, which tells the two apart. The Host header node:http built with that port is rewritten.
 */
function dispatcher(agents: GrantAgents, record: GrantRunRecord | undefined): AgentLike {
  return {
    addRequest(req, options) {
      const tls = options.protocol === 'https:';
      const defaulted = options.port === 80;
      const port = defaulted ? (tls ? 443 : 80) : Number(options.port);
      if (defaulted && !req.headersSent) {
        const host = String(options.host ?? options.hostname ?? '');
        req.setHeader('host', isIP(host) === 6 ? `[${host}]` : host);
      }
      if (record)
        req.once('error', (error: Error & { code?: string }) => {
          if (!record.failure && FLOW_ENDING.has(String(error.code))) record.failure = error;
        });
      const agent = (tls ? agents.https : agents.http) as unknown as AgentLike;
      agent.addRequest(req, { ...options, port });
    },
  };
}

/**
 * grant's `request` defaults: the agents, a time limit, and no redirect followed (the profile GET). A
 * `record` collects what the agents refused or cut off during the run these options are made for.
 */
export function grantRequestOptions(
  agents: GrantAgents | undefined,
  timeoutMs: number,
  record?: GrantRunRecord,
) {
  // A profile URL that redirects would take the bearer token along to wherever it points.
  const base = { timeout: timeoutMs, redirect: { max: 0 } };
  return agents ? { ...base, agent: dispatcher(agents, record) } : base;
}

/**
 * Runs `fn` (one grant invocation, its requests made with grantRequestOptions for the record it is given) and
 * reports a request the host's agents refused (a host outside the network policy) or cut off (an answer over
 * the size limit), which grant would otherwise reduce to a message or ignore (a failed profile request still
 * "succeeds").
 */
export async function withGrantRecord<T>(
  context: string,
  fn: (record: GrantRunRecord) => Promise<T>,
): Promise<{ result: T; failure?: AuthFlowError }> {
  const record: GrantRunRecord = {};
  const result = await fn(record);
  const error = record.failure;
  if (!error) return { result };
  const failure =
    error.code === 'HOST_NOT_ALLOWED'
      ? new AuthFlowError('HOST_NOT_ALLOWED', `${context}: ${error.message}`)
      : new AuthFlowError('MALFORMED_TOKEN_RESPONSE', `${context}: ${error.message}`);
  return { result, failure };
}
