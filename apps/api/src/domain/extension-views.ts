import type { Connection as ConnectionView, Extension as ExtensionView } from '@connections/schema';
import type { ExtensionRow, UserRow } from '../db/entities';
import type { ConnectionDefinition } from '../db/entities/extension';
import { userView } from './user-views';

/** An extension with its connections (those of `nodes` that belong to it, which the viewer may see). */
export function extensionView(
  r: ExtensionRow,
  installer: Pick<UserRow, 'id' | 'email' | 'displayName'> | undefined,
  nodes: ConnectionView[],
): ExtensionView {
  return {
    id: r.id,
    name: r.name,
    key: r.key,
    version: r.version,
    description: r.description ?? null,
    connectionDefinitions: r.connectionDefinitions,
    installed: !!r.installedAt,
    installedAt: r.installedAt ?? null,
    installedBy: installer ? userView(installer) : null,
    connections: inDefinitionOrder(
      r.connectionDefinitions,
      nodes.filter((c) => c.extensionId === r.id),
    ),
    createdAt: r.createdAt,
  };
}

/** The definitions' order (the extension author's), then any connection attached by other means. */
function inDefinitionOrder(defs: ConnectionDefinition[], nodes: ConnectionView[]): ConnectionView[] {
  const rank = (c: ConnectionView) => {
    const i = defs.findIndex((d) => d.linkName === c.linkName);
    return i < 0 ? defs.length : i;
  };
  return [...nodes].sort((a, b) => rank(a) - rank(b));
}
