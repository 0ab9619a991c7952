import { execFileSync } from 'node:child_process';
import {
  baseUrl,
  callSnippets,
  curlSnippet,
  graphqlSnippet,
  jsString,
  proxyUrl,
  shellQuote,
  typescriptSnippet,
} from './callSnippets';

const INPUT = { publicUrl: 'https://connections.example.com/', linkName: 'github_main', path: 'user/repos' };
// Everything that can end a quoted string in a shell or in JavaScript, and a few that expand in a shell.
const NASTY = `it's "quoted" \\ back\`tick\` $HOME $(id) \${x} line\nbreak \u2028`;

test('the link name and the public URL are filled in, each snippet names the link', () => {
  expect(baseUrl('https://c.example.com///')).toBe('https://c.example.com');
  expect(proxyUrl(INPUT)).toBe('https://connections.example.com/proxy/github_main/user/repos');
  expect(proxyUrl({ ...INPUT, path: '/v1/contacts?limit=10' })).toBe(
    'https://connections.example.com/proxy/github_main/v1/contacts?limit=10',
  );
  const snippets = callSnippets(INPUT);
  expect(snippets.map((s) => s.kind)).toEqual(['curl', 'typescript', 'graphql']);
  for (const s of snippets) expect(s.code).toContain('github_main');
  expect(curlSnippet(INPUT)).toBe(
    `curl 'https://connections.example.com/proxy/github_main/user/repos' \\\n  -H "Authorization: Bearer $CONNECTIONS_TOKEN"`,
  );
  expect(graphqlSnippet(INPUT)).toContain('# POST https://connections.example.com/graphql');
  expect(typescriptSnippet(INPUT)).toContain(
    'fetch("https://connections.example.com/proxy/github_main/user/repos"',
  );
});

test('GraphQL variables are JSON that carries the link name and path as given', () => {
  const code = graphqlSnippet({ ...INPUT, path: NASTY });
  const variables = JSON.parse(code.slice(code.indexOf('# Variables') + '# Variables'.length));
  expect(variables).toEqual({ input: { connection: 'github_main', method: 'GET', url: NASTY } });
  expect(code).toContain('invokeUrl(input: $input)');
});

test('shell quoting: a real shell reads back exactly the value, nothing expanded', () => {
  for (const value of [NASTY, '', "'", "''", 'plain']) {
    const echoed = execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`], {
      encoding: 'utf8',
      env: { HOME: '/should-not-appear', PATH: process.env.PATH },
    });
    expect(echoed).toBe(value);
  }
  // The curl line keeps the token variable for the shell to expand, and the URL literal.
  const url = proxyUrl({ ...INPUT, path: `a'b` });
  expect(curlSnippet({ ...INPUT, path: `a'b` })).toContain(shellQuote(url));
});

test('JavaScript strings: every value the TypeScript snippet embeds evaluates back to itself', () => {
  for (const value of [NASTY, '</script>', '']) {
    expect(new Function(`return ${jsString(value)};`)()).toBe(value);
  }
  const code = typescriptSnippet({ ...INPUT, path: NASTY });
  const literals = [...code.matchAll(/url: ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!));
  expect(literals).toEqual([NASTY]);
  // The token is read at run time, never inlined.
  expect(code).toContain('process.env.CONNECTIONS_TOKEN');
  expect(code).not.toMatch(/Bearer [A-Za-z0-9]{8,}/);
});
