/**
 * "How to call it": ready-to-copy requests through one connection, with its link name and the server's public
 * URL filled in. Three ways to the same call (DESIGN: `invokeUrl` over GraphQL, or plain HTTP at
 * `/proxy/<link name>/<path>`): GraphQL, curl and TypeScript with fetch. Each is built from values quoted for
 * its own language, so a link name, URL or path never breaks out of its string.
 */
export interface SnippetInput {
  /** The server's PUBLIC_URL (or the console's own origin when the server did not say). */
  publicUrl: string;
  linkName: string;
  /** A path relative to the service's API base URL, e.g. "user" or "v1/contacts?limit=10". */
  path?: string;
}

export type SnippetKind = 'graphql' | 'curl' | 'typescript';

export interface Snippet {
  kind: SnippetKind;
  label: string;
  code: string;
}

/** The example path when none is given: the API's root under its base URL. */
export const DEFAULT_PATH = '';

const TOKEN_ENV = 'CONNECTIONS_TOKEN';

/** The server's address without a trailing slash (the snippets add their own paths). */
export function baseUrl(publicUrl: string): string {
  return publicUrl.trim().replace(/\/+$/, '');
}

/** `/proxy/<link>/<path>`: the link name as one path segment, the path as typed (already URL syntax). */
export function proxyUrl(input: SnippetInput): string {
  const path = (input.path ?? DEFAULT_PATH).replace(/^\/+/, '');
  return `${baseUrl(input.publicUrl)}/proxy/${encodeURIComponent(input.linkName)}/${path}`;
}

/** A POSIX shell word in single quotes: nothing inside is expanded; a quote is closed, escaped, reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A JavaScript/TypeScript string literal (JSON's escaping is valid JS, and covers U+2028/2029 since ES2019). */
export function jsString(value: string): string {
  return JSON.stringify(value);
}

const INVOKE = `mutation Invoke($input: InvokeUrlInput!) {
  invokeUrl(input: $input) { status headers body }
}`;

/** The variables of the invokeUrl call, as JSON (what a GraphQL client sends next to the document). */
function invokeVariables(input: SnippetInput): string {
  return JSON.stringify(
    { input: { connection: input.linkName, method: 'GET', url: input.path ?? DEFAULT_PATH } },
    null,
    2,
  );
}

export function graphqlSnippet(input: SnippetInput): string {
  return `# POST ${baseUrl(input.publicUrl)}/graphql
# Authorization: Bearer $${TOKEN_ENV}
${INVOKE}

# Variables
${invokeVariables(input)}`;
}

export function curlSnippet(input: SnippetInput): string {
  return `curl ${shellQuote(proxyUrl(input))} \\
  -H "Authorization: Bearer $${TOKEN_ENV}"`;
}

export function typescriptSnippet(input: SnippetInput): string {
  return `const token = process.env.${TOKEN_ENV};

// Plain HTTP through the connection: any method, headers and body, answered as the API answers.
const res = await fetch(${jsString(proxyUrl(input))}, {
  headers: { Authorization: \`Bearer \${token}\` },
});
console.log(res.status, await res.text());

// The same call over GraphQL (invokeUrl): status, headers and body in one answer.
const gql = await fetch(${jsString(`${baseUrl(input.publicUrl)}/graphql`)}, {
  method: 'POST',
  headers: { 'content-type': 'application/json', Authorization: \`Bearer \${token}\` },
  body: JSON.stringify({
    query: ${jsString(INVOKE.replace(/\s+/g, ' '))},
    variables: { input: { connection: ${jsString(input.linkName)}, method: 'GET', url: ${jsString(input.path ?? DEFAULT_PATH)} } },
  }),
});
console.log((await gql.json()).data.invokeUrl);`;
}

/** The three snippets for one connection, in the order the console shows them. */
export function callSnippets(input: SnippetInput): Snippet[] {
  return [
    { kind: 'curl', label: 'curl', code: curlSnippet(input) },
    { kind: 'typescript', label: 'TypeScript', code: typescriptSnippet(input) },
    { kind: 'graphql', label: 'GraphQL', code: graphqlSnippet(input) },
  ];
}

/** The environment variable the snippets read the API token from (the console says how to create one). */
export const SNIPPET_TOKEN_ENV = TOKEN_ENV;
