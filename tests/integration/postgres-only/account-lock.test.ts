import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The cross-process half of the CRM account lock (src/services/crm-connections/account-lock.ts):
 * two transactions on their own connections, as two worker processes would hold them.
 */
let database: TestDatabase;
let uow: UnitOfWork;

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
});
afterAll(async () => {
  await database.close();
});

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('the CRM account advisory lock', () => {
  it('a second holder of one account waits for the first to commit; another account does not', async () => {
    const events: string[] = [];
    let releaseFirst = (): void => undefined;
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstLocked = (): void => undefined;
    const locked = new Promise<void>((resolve) => {
      firstLocked = resolve;
    });
    const first = uow.transaction(async (repos) => {
      await repos.rateBudgets.lockAccount('salesforce:org-1');
      events.push('first locked');
      firstLocked();
      await firstHolds;
      events.push('first done');
    });
    await locked;
    const second = uow.transaction(async (repos) => {
      await repos.rateBudgets.lockAccount('salesforce:org-1');
      events.push('second locked');
    });
    const other = uow.transaction(async (repos) => {
      await repos.rateBudgets.lockAccount('salesforce:org-2');
      events.push('other account locked');
    });
    await other;
    await pause(100);
    expect(events).toEqual(['first locked', 'other account locked']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first locked', 'other account locked', 'first done', 'second locked']);
  });
});
