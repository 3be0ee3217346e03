import type { UnitOfWork } from '#src/repositories/repositories.ts';

/**
 * Runs `work` alone for one CRM account (`key`: the CRM and the keyed fingerprint of its
 * credentials, as the rate budget keys it). The owner-property step reads a picklist's options
 * and writes the whole list back (Salesforce, HubSpot): two members' steps on one account at
 * once would each drop the other's option. Members given the organization admin's keys by Sync
 * CRM all share that account, so their steps take turns.
 */
export type AccountLock = <T>(key: string, work: () => Promise<T>) => Promise<T>;

const tails = new Map<string, Promise<void>>();

/** Turns within this process: each caller waits for the previous holder of the key. */
export const inProcessAccountLock: AccountLock = async (key, work) => {
  const previous = tails.get(key) ?? Promise.resolve();
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
};

/**
 * Turns across every process on one PostgreSQL database: the in-process turn, then a
 * transaction-scoped advisory lock on the key held while `work` runs (on a connection of its
 * own: `work` itself may use others). Not for the embedded database, whose one connection the
 * held transaction would block; one process owns it, so the in-process turn is enough there.
 */
export function databaseAccountLock(uow: UnitOfWork): AccountLock {
  return (key, work) =>
    inProcessAccountLock(key, () =>
      uow.transaction(async (repos) => {
        await repos.rateBudgets.lockAccount(key);
        return work();
      }),
    );
}
