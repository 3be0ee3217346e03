import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SyncCrmEvent, SyncCrmResult } from '#src/domain/contracts/sync.contract.ts';
import { AppError, HTTP_STATUS_BY_CODE, type ErrorCode } from '#src/domain/errors.ts';
import type { AppDeps } from '#src/http/app.ts';
import { sendProblem } from '#src/http/problem.ts';
import { contextOf, requireAuth } from '#src/http/request-context.ts';
import { withIdempotency } from '#src/services/idempotency/idempotency.service.ts';
import { syncCrm, type SyncCrmDeps } from '#src/services/sync/sync-crm.service.ts';

export const SYNC_CRM_EVENTS_TYPE = 'application/x-ndjson';

/** The client asked for the run as it happens (the console does) rather than its end only. */
export function wantsSyncCrmEvents(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes(SYNC_CRM_EVENTS_TYPE);
}

/**
 * Sync CRM told as it happens (issue 14: per-CRM progress as each CRM finishes), one JSON event
 * per line (`syncCrmEventSchema`). The run, its Idempotency-Key and its answer are those of the
 * JSON route: the same key replays the same result either way. Until the keys are committed
 * nothing is sent, so a refusal is an ordinary problem response; an error after that ends the
 * stream with a `problem` event.
 */
export async function streamSyncCrm(
  deps: Pick<AppDeps, 'uow' | 'idempotency'>,
  syncDeps: SyncCrmDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
): Promise<FastifyReply> {
  // Set inside callbacks, so an object: flow analysis would keep a `let` at its first value.
  const stream = { open: false, replayed: false };
  const pending: string[] = [];
  const openStream = () => {
    if (stream.open) return;
    stream.open = true;
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': `${SYNC_CRM_EVENTS_TYPE}; charset=utf-8`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
      ...(stream.replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
    for (const line of pending.splice(0)) reply.raw.write(line);
  };
  const send = (event: SyncCrmEvent) => {
    pending.push(`${JSON.stringify(event)}\n`);
    // A client gone away only stops hearing; the run goes on and is in the history.
    if (stream.open && !reply.raw.destroyed)
      for (const line of pending.splice(0)) reply.raw.write(line);
    else openStream();
  };

  const key = request.headers['idempotency-key'];
  let outcome: { status: number; body: unknown; replayed: boolean };
  try {
    outcome = await withIdempotency(
      deps.uow,
      {
        userId: requireAuth(request).user.id,
        key: typeof key === 'string' ? key : undefined,
        // As the JSON route's (sync.routes.ts): one key, one run, whichever way it is asked.
        route: `sync-crm:${userId}`,
        request: {},
      },
      async (guard) => ({
        status: 200,
        body: await syncCrm(
          syncDeps,
          { ...contextOf(request), ...(guard ? { idempotency: guard } : {}) },
          userId,
          { onProgress: send },
        ),
      }),
      deps.idempotency ?? {},
    );
  } catch (error) {
    if (!stream.open) throw error;
    if (!(error instanceof AppError))
      request.log.error({ err: error }, 'Sync CRM failed mid-stream');
    const code: ErrorCode = error instanceof AppError ? error.code : 'internal';
    send({
      type: 'problem',
      problem: {
        status: HTTP_STATUS_BY_CODE[code],
        code,
        detail:
          error instanceof AppError
            ? error.message
            : 'Sync CRM stopped unexpectedly after copying the keys. Its entry in the sync history says what was done.',
      },
    });
    reply.raw.end();
    return reply;
  }
  if (outcome.status >= 400) {
    const { code, detail, ...rest } = outcome.body as { code: ErrorCode; detail: string };
    if (!stream.open) {
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return sendProblem(reply, code, detail, rest);
    }
    send({ type: 'problem', problem: { status: outcome.status, code, detail } });
    reply.raw.end();
    return reply;
  }
  stream.replayed = outcome.replayed;
  send({ type: 'result', result: outcome.body as SyncCrmResult });
  reply.raw.end();
  return reply;
}
