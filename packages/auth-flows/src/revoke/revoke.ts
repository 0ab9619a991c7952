import { request as undiciRequest, type Dispatcher } from 'undici';
import { AuthFlowError } from '../errors';
import type { ClientCredentials, Credentials, ServiceDefinition } from '../types';

export interface RevokeOptions {
  /** Default 10 s: a revoke must not hold up removing the credentials locally. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export type RevokeResult =
  | { revoked: true; status: number }
  /** Nothing to call: no revoke URL, or not an OAuth 2.0 token. */
  | { revoked: false; skipped: true }
  | { revoked: false; skipped?: false; error: AuthFlowError };

/**
 * RFC 7009 token revocation. The refresh token is revoked when there is one (servers then drop its access
 * tokens too, section 2.1), the access token otherwise. Client authentication follows the service's token
 * endpoint method (client_secret_basic by default). Never throws: the caller removes the credentials locally
 * whatever the provider says, and reports the outcome.
 */
export async function revokeCredentials(
  service: ServiceDefinition,
  client: ClientCredentials | null,
  credentials: Credentials,
  options: RevokeOptions = {},
): Promise<RevokeResult> {
  if (credentials.type !== 'OAUTH2' || !service.revokeUrl) return { revoked: false, skipped: true };
  const form = new URLSearchParams();
  const token = credentials.refreshToken ?? credentials.accessToken;
  form.set('token', token);
  form.set('token_type_hint', credentials.refreshToken ? 'refresh_token' : 'access_token');
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (client) {
    if (service.tokenEndpointAuthMethod === 'client_secret_post') {
      form.set('client_id', client.clientId);
      form.set('client_secret', client.clientSecret);
    } else {
      // Raw id:secret, as the refresh does: many providers do not decode RFC 6749 2.3.1's form-encoding.
      const pair = `${client.clientId}:${client.clientSecret}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
  }
  try {
    const res = await undiciRequest(service.revokeUrl, {
      method: 'POST',
      headers,
      body: form.toString(),
      headersTimeout: options.timeoutMs ?? 10_000,
      bodyTimeout: options.timeoutMs ?? 10_000,
      dispatcher: options.dispatcher,
    });
    // Nothing of the answer is used: read at most 64 KiB of it and drop the connection past that, so a
    // server streaming without end can neither fill memory nor hold the revoke until the time limit.
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    // 200 means revoked or already invalid (RFC 7009 2.2); anything else is the provider's failure.
    if (res.statusCode === 200) return { revoked: true, status: 200 };
    return {
      revoked: false,
      error: new AuthFlowError(
        'PROVIDER_ERROR',
        `The provider's revoke endpoint answered HTTP ${res.statusCode}`,
        {
          status: res.statusCode,
          transient: res.statusCode >= 500 || res.statusCode === 429,
        },
      ),
    };
  } catch (cause) {
    return {
      revoked: false,
      error: new AuthFlowError(
        'UPSTREAM_UNAVAILABLE',
        "The provider's revoke endpoint could not be reached",
        {
          transient: true,
          cause,
        },
      ),
    };
  }
}
