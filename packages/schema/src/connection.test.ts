import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { CreateConnectionInput } from './connection';

// The subdomain decides where a catalog service's token exchange goes, and with it the workspace's client
// secret: a member must not be able to point it at this machine or a private address.
const subdomainErrors = (subdomain: string) =>
  validateSync(Object.assign(new CreateConnectionInput(), { name: 'Zendesk', service: 'zendesk', subdomain }))
    .filter((e) => e.property === 'subdomain')
    .flatMap((e) => Object.values(e.constraints ?? {}));

describe('CreateConnectionInput.subdomain', () => {
  test.each(['acme', 'acme-support', 'a', 'x1', '1password', 'ACME'])(
    'accepts the host label %s',
    (value) => {
      expect(subdomainErrors(value)).toEqual([]);
    },
  );

  test.each([
    'localhost',
    'LocalHost',
    '2130706433',
    '0x7f000001',
    '0177',
    '127.0.0.1',
    'a.b',
    '-acme',
    'acme-',
    '',
  ])('refuses %s', (value) => {
    expect(subdomainErrors(value)).toEqual([expect.stringMatching(/host label/)]);
  });
});
