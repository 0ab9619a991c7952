import { databases, startTestServer, type TestServer } from '../test-support/server';

jest.setTimeout(60_000);

describe.each(databases())('migrations (%s)', (db) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(db);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the migrations build exactly the schema the entities describe', async () => {
    // synchronize is off: if an entity and the migrations drift apart, this lists the SQL that would fix it.
    const pending = await t.server.ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  test('every migration ran once and running them again does nothing', async () => {
    expect(await t.server.ds.showMigrations()).toBe(false);
    expect(await t.server.ds.runMigrations()).toEqual([]);
  });
});
