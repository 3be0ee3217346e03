import { hashPassword } from '#src/services/auth/password.ts';

/**
 * The password of every factory user who may log in (tests only; never the demo's). The same
 * value as tests/support/accounts.ts, so users of either log in alike.
 */
export const TEST_PASSWORD = 'test-password-42';

let memo: Promise<string> | undefined;

/**
 * The real argon2id hash of TEST_PASSWORD, computed once per test process: argon2 is slow on
 * purpose (19 MiB, 2 passes), so hashing per user made every world cost seconds. Logins through
 * the real API still verify it with the real `verifyPassword`.
 */
export function testPasswordHash(): Promise<string> {
  memo ??= hashPassword(TEST_PASSWORD).catch((error: unknown) => {
    memo = undefined;
    throw error;
  });
  return memo;
}
