import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import { parseManifest } from './extension-manifest';

const example = () =>
  JSON.parse(
    fs.readFileSync(path.join(__dirname, '../../../../docs/extension-manifest.example.json'), 'utf8'),
  );

const fieldOf = (doc: unknown) => {
  try {
    parseManifest(doc);
  } catch (e) {
    if (e instanceof AppError) return [e.code, e.details.field, e.message];
    throw e;
  }
  return null;
};

describe('extension manifests', () => {
  test('the documented example is a valid manifest; defaults are filled in', () => {
    const m = parseManifest(example());
    expect(m).toMatchObject({ key: 'acme.reporting', version: '1.2.0', description: expect.any(String) });
    expect(m.connections.map((c) => [c.linkName, c.useLoginUserCredentials, 'catalog' in c.service])).toEqual(
      [
        ['reporting_crm', false, false],
        ['reporting_github', true, true],
        ['reporting_search', false, false],
      ],
    );
    // Absent scopes stay absent: the service's defaults apply on install.
    expect(m.connections[2]).not.toHaveProperty('scopes');
  });

  test('the OAuth 2.0 options are kept as the document spells them (GraphQL enum names)', () => {
    const doc = example();
    Object.assign(doc.connections[0].service.custom, {
      grantType: 'CLIENT_CREDENTIALS',
      tokenParams: { audience: 'https://api.acme-crm.example/' },
      pkce: false,
      tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
    });
    expect(parseManifest(doc).connections[0]!.service).toMatchObject({
      custom: {
        grantType: 'CLIENT_CREDENTIALS',
        tokenParams: { audience: 'https://api.acme-crm.example/' },
        pkce: false,
        tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      },
    });
    // Absent, they stay absent: createCustomService's defaults apply on install.
    const custom = (parseManifest(example()).connections[0]!.service as { custom: object }).custom;
    for (const k of ['grantType', 'tokenParams', 'pkce', 'tokenEndpointAuthMethod'])
      expect(custom).not.toHaveProperty(k);
  });

  test('a document that is not a JSON object', () => {
    expect(fieldOf([])).toEqual(['BAD_USER_INPUT', 'manifest', 'manifest: must be a JSON object']);
  });

  test.each<[string, (m: any) => void, string]>([
    ['a missing name', (m: any) => delete m.name, 'manifest.name'],
    ['a description too long', (m: any) => (m.description = 'x'.repeat(501)), 'manifest.description'],
    [
      'a non-string scope',
      (m: any) => (m.connections[0].scopes = ['a', 3]),
      'manifest.connections.0.scopes.1',
    ],
    ['no service', (m: any) => delete m.connections[1].service, 'manifest.connections.1.service'],
    ['an empty service', (m: any) => (m.connections[1].service = {}), 'manifest.connections.1.service'],
    [
      'a non-string authorize parameter',
      (m: any) => (m.connections[0].service.custom.authorizeParams.max_age = 5),
      'manifest.connections.0.service.custom.authorizeParams.max_age',
    ],
    [
      'an unknown param type',
      (m: any) => (m.connections[2].service.custom.paramType = 'BODY'),
      'manifest.connections.2.service.custom.paramType',
    ],
    [
      'a grant type by its value rather than its name',
      (m: any) => (m.connections[0].service.custom.grantType = 'client_credentials'),
      'manifest.connections.0.service.custom.grantType',
    ],
    [
      'an unknown token endpoint auth method',
      (m: any) => (m.connections[0].service.custom.tokenEndpointAuthMethod = 'PRIVATE_KEY_JWT'),
      'manifest.connections.0.service.custom.tokenEndpointAuthMethod',
    ],
    [
      'a non-boolean pkce',
      (m: any) => (m.connections[0].service.custom.pkce = 'false'),
      'manifest.connections.0.service.custom.pkce',
    ],
    [
      'token parameters that are not a map',
      (m: any) => (m.connections[0].service.custom.tokenParams = ['audience']),
      'manifest.connections.0.service.custom.tokenParams',
    ],
    [
      'a non-string token parameter',
      (m: any) => (m.connections[0].service.custom.tokenParams = { audience: 1 }),
      'manifest.connections.0.service.custom.tokenParams.audience',
    ],
    [
      'too many connections',
      (m: any) => (m.connections = Array(51).fill(m.connections[1])),
      'manifest.connections',
    ],
  ])('%s: BAD_USER_INPUT on %s', (_label, change, field) => {
    const doc = example();
    change(doc);
    const [code, at, message] = fieldOf(doc)!;
    expect([code, at]).toEqual(['BAD_USER_INPUT', field]);
    expect(message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
  });
});
