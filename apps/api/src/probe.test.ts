import { startTestServer } from './test-support/server';
jest.setTimeout(60000);
test('probe', async () => {
  const t = await startTestServer('sqlite');
  const admin = await t.adminAuth();
  const CREATE = `mutation($i: CreateCustomServiceInput!) { createCustomService(input: $i) { id } }`;
  for (const v of [
    { i: { name: 'No auth type', clientSecret: 'SECRET1', apiBaseUrls: ['https://x.example/'] } },
    { i: { name: 'x', authType: 'OAUTH3', clientSecret: 'SECRET2', apiBaseUrls: ['https://x.example/'] } },
    { i: { name: 'x', authType: 'BASIC', clientSecret: 'SECRET3', apiBaseUrls: ['https://x.example/'], bogus: 1 } },
  ]) {
    const r = await t.gql(CREATE, v, admin);
    console.log(r.status, r.raw);
  }
  for (const q of ['{ connections { nodes { service { name } } } }', '{ nope }', '{ viewer { ']) {
    const r = await t.gql(q, {}, admin); console.log(r.status, r.headers.get('content-type'), r.raw);
  }
  await t.close();
  const t2 = await startTestServer('sqlite', { GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '50' });
  const a2 = await t2.adminAuth();
  for (const q of ['{ connections { nodes { service { name } } } }', '{ connections(first: 100) { nodes { id service { name } } } }']) {
    const r = await t2.gql(q, {}, a2); console.log(r.status, r.headers.get('content-type'), r.raw);
  }
  await t2.close();
});
