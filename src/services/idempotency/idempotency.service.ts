import { createHash } from 'node:crypto';
import { AppError, HTTP_STATUS_BY_CODE } from '#src/domain/errors.ts';
import { stableStringify } from '#src/domain/sync/sync-rules.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';

export interface ReplayableResponse {
  status: number;
  body: unknown;
}

/**
 * Runs `work` at most once per (user, Idempotency-Key): a retry with the same key and the same
 * request returns the first response without running again; the same key with a different
 * request is `idempotency_mismatch`; one still running is `idempotency_in_progress`. Server
 * errors release the key so the client may retry.
 */
export async function withIdempotency(
  uow: UnitOfWork,
  input: { userId: string; key: string | undefined; route: string; request: unknown },
  work: () => Promise<ReplayableResponse>,
): Promise<ReplayableResponse & { replayed: boolean }> {
  if (input.key === undefined) return { ...(await work()), replayed: false };
  const key = input.key.trim();
  if (key.length === 0 || key.length > 200) {
    throw new AppError('invalid_request', 'Idempotency-Key must be 1 to 200 characters.');
  }
  const requestHash = createHash('sha256')
    .update(stableStringify({ route: input.route, request: input.request }))
    .digest('hex');
  const claimed = await uow.read.idempotency.claim(input.userId, key, input.route, requestHash);
  if (!claimed) {
    const stored = await uow.read.idempotency.find(input.userId, key);
    if (!stored || stored.requestHash !== requestHash) {
      throw new AppError(
        'idempotency_mismatch',
        'This Idempotency-Key was already used for a different request. Use a new key.',
      );
    }
    if (stored.status === null) {
      throw new AppError(
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still running. Retry in a moment.',
      );
    }
    return { status: stored.status, body: stored.response, replayed: true };
  }
  try {
    const response = await work();
    await uow.read.idempotency.complete(input.userId, key, response.status, response.body);
    return { ...response, replayed: false };
  } catch (error) {
    if (error instanceof AppError && error.code !== 'internal') {
      const status = HTTP_STATUS_BY_CODE[error.code];
      await uow.read.idempotency.complete(input.userId, key, status, {
        code: error.code,
        detail: error.message,
        ...error.details,
      });
    } else {
      await uow.read.idempotency.release(input.userId, key);
    }
    throw error;
  }
}
