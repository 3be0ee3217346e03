import { CompiledQuery, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

/**
 * pg-boss's database adapter bound to this connection or transaction: jobs inserted through it
 * commit or roll back with the use case that creates them (a bulk run and its batches).
 */
export class JobSqlRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    const result = await this.db.executeQuery(CompiledQuery.raw(text, values ?? []));
    return { rows: [...result.rows] };
  }
}
