import { configureLink, installSummary, type InstallOutcome } from './extensionInstall';

const outcome = (over: Partial<InstallOutcome> = {}): InstallOutcome => ({
  previousVersion: null,
  extension: { id: 'x1', name: 'Reporting', version: '1.2.0', connections: [{}, {}] },
  toAuthorize: [{}],
  servicesToConfigure: [],
  ...over,
});

describe('what an install did', () => {
  test('a first install counts its connections and those waiting for the installer', () => {
    expect(installSummary(outcome())).toBe(
      'Installed Reporting 1.2.0: 2 connections in this workspace. 1 connection needs your authorization below.',
    );
    expect(installSummary(outcome({ toAuthorize: [] }))).toBe(
      'Installed Reporting 1.2.0: 2 connections in this workspace.',
    );
  });

  test('an upgrade names both versions', () => {
    expect(installSummary(outcome({ previousVersion: '1.0.0', toAuthorize: [{}, {}] }))).toBe(
      'Upgraded Reporting from 1.0.0 to 1.2.0. 2 connections need your authorization below.',
    );
  });

  test('services without an OAuth client come first', () => {
    const svc = { id: 's1', slug: 'crm', name: 'CRM', kind: 'CUSTOM' as const };
    expect(installSummary(outcome({ servicesToConfigure: [svc] }))).toMatch(
      /Set the OAuth client of 1 service below, then authorize\.$/,
    );
    expect(configureLink(svc)).toBe('/services/s1/edit');
    expect(configureLink({ ...svc, kind: 'DEFAULT', slug: 'git hub' })).toBe('/services?configure=git%20hub');
  });
});
