import { EXTENSION_KEY_PATTERN } from '@connections/schema';
import type { ConnectionDefinition } from '../db/entities/extension';
import { AppError, badInput } from '../errors';
import { isSemver, MAX_VERSION_LENGTH } from './extension-manifest-semver';
import { deriveLinkName } from './link-name';
import { serviceRef, type ServiceRegistry } from './service-registry';
import { checkScopes } from './service-validation';
import type { Service as ServiceView } from '@connections/schema';
import type { Viewer } from './viewer';

export interface ConnectionDefinitionInput {
  name: string;
  linkName?: string | null;
  service: string;
  scopes?: string[] | null;
  useLoginUserCredentials: boolean;
}

const LINK_NAME = /^[a-z0-9_]{1,50}$/;
const MAX_DEFINITIONS = 50;

export interface ExtensionHeader {
  name: string;
  key: string;
  version: string;
  description: string | null;
}

/** An extension's key from its name: lower case, runs of anything but a-z and 0-9 as one dash. */
export function keyFromName(name: string): string {
  const key = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return key || 'extension';
}

/** createExtension's name, key (derived from the name when left out), version (1.0.0) and description. */
export function checkHeader(input: {
  name: string;
  key?: string | null;
  version?: string | null;
  description?: string | null;
}): ExtensionHeader {
  const name = input.name.trim();
  if (!name || name.length > 80) throw badInput('name', 'must be 1 to 80 characters');
  const description = input.description?.trim() || null;
  if (description && description.length > 500)
    throw badInput('description', 'must be at most 500 characters');
  const key = input.key?.trim() || keyFromName(name);
  if (!EXTENSION_KEY_PATTERN.test(key))
    throw badInput(
      'key',
      'must be 1 to 80 characters of a-z, 0-9, ".", "_" and "-", starting and ending with a-z or 0-9',
    );
  const version = input.version?.trim() || '1.0.0';
  if (version.length > MAX_VERSION_LENGTH || !isSemver(version))
    throw badInput('version', 'must be a semantic version such as 1.0.0 (semver.org)');
  return { name, key, version, description };
}

export const field = (i: number, name: string) => `connections[${i}].${name}`;

/**
 * Every definition is checked now, naming the field (`connections[1].linkName`), so that an install only
 * fails for what can change in between: a link name taken meanwhile, a service deleted or without client.
 */
export async function checkDefinitions(
  registry: ServiceRegistry,
  viewer: Viewer,
  inputs: ConnectionDefinitionInput[],
): Promise<ConnectionDefinition[]> {
  if (inputs.length === 0) throw badInput('connections', 'must define at least one connection');
  if (inputs.length > MAX_DEFINITIONS)
    throw badInput('connections', `must define at most ${MAX_DEFINITIONS} connections`);
  const seen = new Map<string, number>();
  const out: ConnectionDefinition[] = [];
  for (const [i, d] of inputs.entries()) {
    const name = d.name.trim();
    if (!name || name.length > 50) throw badInput(field(i, 'name'), 'must be 1 to 50 characters');
    const linkName = d.linkName ?? deriveLinkName(name);
    if (!LINK_NAME.test(linkName))
      throw badInput(field(i, 'linkName'), 'must be 1 to 50 characters of a-z, 0-9 and _');
    const first = seen.get(linkName);
    if (first !== undefined)
      throw badInput(
        field(i, 'linkName'),
        `"${linkName}" is already used by connections[${first}]` +
          (d.linkName ? '' : ' (derived from the name: give a distinct linkName)'),
      );
    seen.set(linkName, i);
    const service = await serviceOf(registry, viewer, d.service, i);
    // Installing creates the connections without asking anyone for a subdomain, so there must be none.
    if (service.needsSubdomain)
      throw badInput(
        field(i, 'service'),
        `${service.name} needs an account subdomain, which extensions cannot set`,
      );
    const scopes = checkScopes(field(i, 'scopes'), d.scopes ?? service.defaultScopes, service.scopeDelimiter);
    out.push({
      name,
      linkName,
      // Stored by slug (what ConnectionDefinition.service shows), resolved again on install.
      service: service.slug,
      scopes,
      useLoginUserCredentials: d.useLoginUserCredentials,
    });
  }
  return out;
}

async function serviceOf(
  registry: ServiceRegistry,
  viewer: Viewer,
  ref: string,
  i: number,
): Promise<ServiceView> {
  try {
    return await registry.find(viewer.workspaceId, serviceRef(ref.trim()));
  } catch (e) {
    if (e instanceof AppError && (e.code === 'NOT_FOUND' || e.code === 'BAD_USER_INPUT'))
      throw badInput(field(i, 'service'), `no service "${ref}" in this workspace or the catalog`);
    throw e;
  }
}

/**
 * An error about one definition's connection names that definition: `service` becomes
 * `connections[2].service`. A service deleted since the extension was made is a CONFLICT, not NOT_FOUND:
 * the extension itself was found.
 */
export function rethrowForDefinition(i: number, e: unknown): never {
  if (!(e instanceof AppError)) throw e;
  const own = typeof e.details.field === 'string' ? e.details.field : undefined;
  if (e.code === 'NOT_FOUND')
    throw new AppError('CONFLICT', `${field(i, 'service')}: ${e.message} Update or recreate the extension.`, {
      field: field(i, 'service'),
    });
  if (!own) throw e;
  const message = e.message.startsWith(`${own}: `) ? e.message.slice(own.length + 2) : e.message;
  throw new AppError(e.code, `${field(i, own)}: ${message}`, { ...e.details, field: field(i, own) });
}
