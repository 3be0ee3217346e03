import { createHash, randomUUID } from 'node:crypto';
import { AppError, HTTP_STATUS_BY_CODE } from '#src/domain/errors.ts';
import { stableStringify } from '#src/domain/sync/sync-rules.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';

export interface ReplayableResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyPolicy {
  /** How long a claim is held before a retry may take it over (its holder is presumed dead). */
  leaseMs: number;
  /** How long a key is remembered. */
  ttlMs: number;
}

export const DEFAULT_IDEMPOTENCY_POLICY: IdempotencyPolicy = {
  leaseMs: 60_000,
  ttlMs: 24 * 60 * 60_000,
};

/**
 * What a use case gets when its request carries an Idempotency-Key. The use case calls
 * `complete` inside the transaction that writes its effect, so the effect and the stored
 * response commit together: a crash before the commit leaves neither (the retry runs the work),
 * a crash after it leaves both (the retry replays). `complete` is fenced by the claim token: if
 * a retry took the claim over meanwhile, it throws and the effect rolls back.
 */
export interface IdempotencyGuard {
  /** Throws (rolling the caller's transaction back) unless this request still holds the key. */
  fence(repos: Repositories): Promise<void>;
  /** Stores the response (200 unless given) in the caller's transaction, fenced as above. */
  complete(repos: Repositories, body: unknown, status?: number): Promise<void>;
}

function takenOver(): AppError {
  return new AppError(
    'idempotency_in_progress',
    'A retry with the same Idempotency-Key took this request over; its answer is the one that counts.',
    { reason: 'taken_over' },
  );
}

function isTakenOver(error: unknown): boolean {
  return error instanceof AppError && error.details?.reason === 'taken_over';
}

/**
 * Runs `work` at most once per (user, Idempotency-Key): a retry with the same key and the same
 * request returns the first response without running again; the same key with a different
 * request is `idempotency_key_reused`; one still running is `idempotency_in_progress` until its
 * lease ends, after which a retry takes it over. Server errors release the key. Keys expire
 * after 24 hours.
 */
export async function withIdempotency(
  uow: UnitOfWork,
  input: { userId: string; key: string | undefined; route: string; request: unknown },
  work: (guard: IdempotencyGuard | undefined) => Promise<ReplayableResponse>,
  options: { policy?: IdempotencyPolicy; now?: () => Date } = {},
): Promise<ReplayableResponse & { replayed: boolean }> {
  if (input.key === undefined) return { ...(await work(undefined)), replayed: false };
  const key = input.key.trim();
  if (key.length === 0 || key.length > 200) {
    throw new AppError('invalid_request', 'Idempotency-Key must be 1 to 200 characters.');
  }
  const policy = options.policy ?? DEFAULT_IDEMPOTENCY_POLICY;
  const now = options.now ?? (() => new Date());
  const requestHash = createHash('sha256')
    .update(stableStringify({ route: input.route, request: input.request }))
    .digest('hex');
  const token = randomUUID();
  const { userId } = input;
  const claimed = await uow.read.idempotency.claim({
    userId,
    key,
    route: input.route,
    requestHash,
    token,
    now: now(),
    leaseMs: policy.leaseMs,
    ttlMs: policy.ttlMs,
  });
  if (!claimed) {
    const stored = await uow.read.idempotency.find(userId, key);
    if (stored && stored.requestHash !== requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request. Use a new key.',
      );
    }
    if (!stored || stored.status === null) {
      const leaseLeftMs = (stored?.leaseExpiresAt?.getTime() ?? now().getTime()) - now().getTime();
      throw new AppError(
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still running. Retry in a moment.',
        { retryAfterSeconds: Math.max(1, Math.ceil(leaseLeftMs / 1000)) },
      );
    }
    return { status: stored.status, body: stored.response, replayed: true };
  }

  const state = { completedInTransaction: false };
  const guard: IdempotencyGuard = {
    async fence(repos) {
      if (!(await repos.idempotency.holds(userId, key, token))) throw takenOver();
    },
    async complete(repos, body, status = 200) {
      if (!(await repos.idempotency.complete(userId, key, token, status, body))) throw takenOver();
      state.completedInTransaction = true;
    },
  };
  try {
    const response = await work(guard);
    // Work without an effect of its own to commit with (a preview) is answered here.
    if (!state.completedInTransaction)
      await uow.read.idempotency.complete(userId, key, token, response.status, response.body);
    return { ...response, replayed: false };
  } catch (error) {
    if (error instanceof AppError && error.code !== 'internal' && !isTakenOver(error)) {
      const status = HTTP_STATUS_BY_CODE[error.code];
      // A refusal changes nothing: it is replayed as it was (only while we hold the key).
      await uow.read.idempotency
        .complete(userId, key, token, status, {
          code: error.code,
          detail: error.message,
          ...error.details,
        })
        .catch(() => undefined);
    } else if (!isTakenOver(error)) {
      // Our side failed: the key is given back. If the database is what failed, this fails
      // too, and the lease frees the key instead.
      await uow.read.idempotency.release(userId, key, token).catch(() => undefined);
    }
    throw error;
  }
}
