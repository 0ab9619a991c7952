import type { Request, Response } from 'express';
import { escapeHtml } from './html';
import { SANDBOX_API_KEY, SANDBOX_BASIC_USER } from './catalog';

/**
 * GET /sandbox/: the sandbox's own documentation, where its services' "Docs" link lands (it used to land on
 * the console's connection list). Everything a first run needs on one page: which service to pick, the
 * public credentials, that there is nothing to register, what the API answers, and how to make it misbehave,
 * including where the API token ($TOKEN) for the control endpoint comes from.
 */
export function sandboxGuide(publicUrl: () => string) {
  return (_req: Request, res: Response) => {
    const base = publicUrl();
    const e = escapeHtml;
    const control = (body: string) =>
      `curl -s ${e(base)}/sandbox/control -H "authorization: Bearer $TOKEN" \\\n  -H 'content-type: application/json' -d '${e(body)}'`;
    res.type('html').setHeader('Cache-Control', 'no-cache')
      .send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sandbox: how to use it</title>
<link rel="stylesheet" href="${e(base)}/sandbox/style.css"></head><body><main>
<h1>The sandbox</h1>
<p>Offline stand-ins for third-party services, served by this Connections server: an OAuth 2.0 authorization
server, an OAuth 1.0a provider, and a small contacts API. State lives in memory and is gone on restart.</p>
<p><a href="${e(base)}/connections/new">Add a connection in the console</a> and search <q>sandbox</q>.</p>

<h2>The four services</h2>
<dl>
<dt>Sandbox (OAuth 2.0)</dt><dd>Create and Connect, then Approve on the consent page. Its OAuth client is
preconfigured and its callback URL already registered: <strong>there is nothing to register</strong>.</dd>
<dt>Sandbox (OAuth 1.0a)</dt><dd>The same, on the OAuth 1.0a provider's page.</dd>
<dt>Sandbox (Basic)</dt><dd>User <code>${e(SANDBOX_BASIC_USER.username)}</code>, password
<code>${e(SANDBOX_BASIC_USER.password)}</code>.</dd>
<dt>Sandbox (API key)</dt><dd><code>${e(SANDBOX_API_KEY)}</code>, sent as <code>X-API-Key</code>.</dd>
</dl>
<p>These credentials are public by design: the sandbox is a local toy.</p>

<h2>The contacts API</h2>
<p>Base URL <code>${e(base)}/sandbox/api/</code>. In the connection's <strong>Try a request</strong>:</p>
<ul><li><code>GET contacts</code>: the signed-in sandbox user's contacts</li>
<li><code>GET me</code>: who the credentials belong to</li>
<li><code>POST contacts</code> with <code>{"name": "…", "email": "…"}</code>: adds one
(OAuth 2.0 needs the <code>contacts.write</code> scope)</li></ul>

<h2>Make it misbehave</h2>
<p>Admins can tell the providers to fail, and watch the connection page follow live. The control endpoint takes
an admin's API token as <code>$TOKEN</code>: create one in the console under
<a href="${e(base)}/tokens">API tokens</a> (<strong>Create token</strong>; it is shown once), then
<code>export TOKEN=…</code>.</p>
<pre><code># access tokens expire after 5 s (issued ones too): the next call refreshes (REFRESHED)
${control('{"accessTokenTtlSeconds": 5}')}
# the next 3 token requests answer 503 (REFRESH_FAILED, retried on the next call; 0 recovers)
${control('{"tokenEndpointFailures": 3}')}
# forget every grant: the next refresh gets invalid_grant (NEEDS_REAUTH; Reconnect fixes it)
${control('{"revokeGrants": true}')}</code></pre>
</main></body></html>`);
  };
}
