import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

// An extension's key (what identifies it across workspaces and deployments, so that installing a newer
// manifest upgrades it) and its version. Existing extensions get a key from their name (unique in their
// workspace, as names were) and version 1.0.0. The columns are added nullable, filled, then made NOT NULL:
// Table API only, so the same migration runs on SQLite (which rebuilds the table) and PostgreSQL.
export class ExtensionKeyVersion1764930000000 implements MigrationInterface {
  name = 'ExtensionKeyVersion1764930000000';

  async up(q: QueryRunner): Promise<void> {
    const key = { name: 'key', type: 'varchar', length: '80' };
    const version = { name: 'version', type: 'varchar', length: '64' };
    await q.addColumn('extension', new TableColumn({ ...key, isNullable: true }));
    await q.addColumn('extension', new TableColumn({ ...version, isNullable: true }));
    const rows: { id: string; workspaceId: string; name: string }[] = await q.query(
      `SELECT "id", "workspaceId", "name" FROM "extension" ORDER BY "createdAt", "id"`,
    );
    const taken = new Map<string, Set<string>>();
    for (const r of rows) {
      const used = taken.get(r.workspaceId) ?? new Set<string>();
      taken.set(r.workspaceId, used);
      const base = keyOf(r.name);
      let k = base;
      for (let i = 2; used.has(k); i++) k = `${base.slice(0, 70)}-${i}`;
      used.add(k);
      await q.connection
        .createQueryBuilder(q)
        .update('extension')
        .set({ key: k, version: '1.0.0' })
        .where('"id" = :id', { id: r.id })
        .execute();
    }
    await q.changeColumn('extension', 'key', new TableColumn({ ...key, isNullable: false }));
    await q.changeColumn('extension', 'version', new TableColumn({ ...version, isNullable: false }));
    await q.createIndex('extension', new TableIndex({ columnNames: ['workspaceId', 'key'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    const table = await q.getTable('extension');
    const index = table?.indices.find((i) => i.columnNames.join() === 'workspaceId,key');
    if (index) await q.dropIndex('extension', index);
    await q.dropColumn('extension', 'version');
    await q.dropColumn('extension', 'key');
  }
}

/**
 * The key an existing extension gets from its name: lower case, runs of anything but a-z and 0-9 as one
 * dash. A copy of the domain's rule as it stood when this migration was written: migrations do not change.
 */
function keyOf(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 72)
    .replace(/-+$/, '');
  return s || 'extension';
}
