import { PostgresStore } from '../../../src/server/store/postgres/postgres-store';
import { TestPostgres } from '../../helpers/postgres';
import { storeSuite } from './store-suite';

// The same Store contract as LogStore and MemoryStore, on a PostgreSQL started for these tests.
describe('PostgresStore', function () {
  this.timeout(60000);
  let pg: TestPostgres;
  let url: string;
  before(async () => {
    pg = await TestPostgres.start();
    url = await pg.createDatabase('classchat');
  });
  after(async () => {
    await pg?.stop();
  });

  // Each test's directory stands for one database: a new one starts from an empty schema.
  const reset = new Set<string>();
  storeSuite('PostgresStore', async (dir) => {
    if (!reset.has(dir)) {
      reset.add(dir);
      await pg.sql('DROP SCHEMA public CASCADE; CREATE SCHEMA public', 'classchat');
    }
    return new PostgresStore({ url });
  });
});
