import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** Copies the one subdomain a workspace's connections of an OAuth catalog service agree on to its row. */
export async function backfillTenantHosts(q: QueryRunner): Promise<void> {
  const used = `FROM "connection" "c" WHERE "c"."serviceId" = "service"."id" AND "c"."subdomain" IS NOT NULL`;
  await q.query(
    `UPDATE "service" SET "subdomain" = (SELECT MIN("c"."subdomain") ${used})
     WHERE "kind" = 'DEFAULT' AND "clientId" IS NOT NULL
       AND (SELECT COUNT(DISTINCT "c"."subdomain") ${used}) = 1`,
  );
}

// A catalog OAuth service with a per-tenant host ([subdomain]) takes that host with the workspace's OAuth
// client, set by an admin, instead of from each connection: the client secret only ever goes to the host the
// admin named. A workspace whose connections of such a service all used one subdomain keeps it; one whose
// connections disagree has an admin set it (setServiceCredentials). API base URL overrides of catalog services
// reuse the existing `apiBaseUrls` column of their DEFAULT row. Table API and portable SQL only, so the same
// migration runs on SQLite and PostgreSQL.
export class ServiceTenantHost1764950000000 implements MigrationInterface {
  name = 'ServiceTenantHost1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'service',
      new TableColumn({ name: 'subdomain', type: 'varchar', length: '253', isNullable: true }),
    );
    await backfillTenantHosts(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('service', 'subdomain');
  }
}
