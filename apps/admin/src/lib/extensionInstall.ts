/**
 * What an install (from the workspace's own definition or from an imported manifest) did, in words, and
 * where to go next: the services that still need an OAuth client, then the connections to authorize.
 */
export interface InstallOutcome {
  previousVersion: string | null;
  extension: { id: string; name: string; version: string; connections: readonly unknown[] };
  toAuthorize: readonly unknown[];
  servicesToConfigure: readonly ServiceToConfigure[];
}

export interface ServiceToConfigure {
  id: string;
  slug: string;
  name: string;
  kind: 'DEFAULT' | 'CUSTOM';
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function installSummary(r: InstallOutcome): string {
  const { name, version, connections } = r.extension;
  const head = r.previousVersion
    ? `Upgraded ${name} from ${r.previousVersion} to ${version}.`
    : `Installed ${name} ${version}: ${plural(connections.length, 'connection', 'connections')} in this workspace.`;
  const next = r.servicesToConfigure.length
    ? ` Set the OAuth client of ${plural(r.servicesToConfigure.length, 'service', 'services')} below, then authorize.`
    : r.toAuthorize.length
      ? ` ${plural(r.toAuthorize.length, 'connection needs', 'connections need')} your authorization below.`
      : '';
  return head + next;
}

/** Custom services are edited on their page; a catalog service's client is set on the services page. */
export const configureLink = (s: ServiceToConfigure): string =>
  s.kind === 'CUSTOM' ? `/services/${s.id}/edit` : `/services?configure=${encodeURIComponent(s.slug)}`;
