import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { budgetedFetch } from '#src/services/crm-connections/rate-budget.ts';
import { HUBSPOT_KEY, keyring } from '#tests/integration/sync/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The CRM rate budget kept in the database (issue 11 point 3): one window per CRM account,
 * shared by every caller of every process, keyed without the credentials.
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

describe('CRM rate budget', () => {
  it('grants the limit per window, then says how long until the window ends', async () => {
    const takes = [];
    for (let i = 0; i < 4; i += 1) takes.push(await uow.read.rateBudgets.take('test:a', 3, 5_000));
    expect(takes.slice(0, 3).every((t) => t.granted && t.waitMs === 0)).toBe(true);
    expect(takes[3]?.granted).toBe(false);
    expect(takes[3]?.waitMs).toBeGreaterThan(0);
    expect(takes[3]?.waitMs).toBeLessThanOrEqual(5_000);
  });

  it('concurrent callers share one budget: exactly the limit is granted in a window', async () => {
    const takes = await Promise.all(
      Array.from({ length: 12 }, () => uow.read.rateBudgets.take('test:shared', 5, 10_000)),
    );
    expect(takes.filter((t) => t.granted)).toHaveLength(5);
  });

  it('a new window grants again', async () => {
    await uow.read.rateBudgets.take('test:window', 1, 100);
    expect((await uow.read.rateBudgets.take('test:window', 1, 100)).granted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await uow.read.rateBudgets.take('test:window', 1, 100)).granted).toBe(true);
  });

  it('budgetedFetch waits for the next window once the budget is spent, and keys the budget without the credentials', async () => {
    let calls = 0;
    const waits: number[] = [];
    const fetchStub = (async () => {
      calls += 1;
      return new Response('{}');
    }) as typeof fetch;
    const budgeted = budgetedFetch(uow.read, keyring, HUBSPOT_KEY, {
      fetch: fetchStub,
      limits: { hubspot: { limit: 2, windowMs: 300 } },
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    for (let i = 0; i < 3; i += 1) await budgeted('http://127.0.0.1:9/x');
    expect(calls).toBe(3);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    const keys = await sql<{ budget_key: string }>`select budget_key from crm_rate_budgets`.execute(
      database.db,
    );
    const secret = HUBSPOT_KEY.secrets.accessToken;
    expect(keys.rows.some((r) => r.budget_key.startsWith('hubspot:'))).toBe(true);
    expect(keys.rows.every((r) => !r.budget_key.includes(secret))).toBe(true);
  });
});
