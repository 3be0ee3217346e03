import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '#src/domain/errors.ts';
import type { AppDeps } from '#src/http/app.ts';
import { sendProblem } from '#src/http/problem.ts';
import { contextOf, requireAuth } from '#src/http/request-context.ts';
import { withIdempotency } from '#src/services/idempotency/idempotency.service.ts';
import type { SyncContext } from '#src/services/sync/sync-support.ts';

/**
 * Runs a state-changing use case once per Idempotency-Key (when the request carries one) and
 * sends its response, replayed with `Idempotent-Replayed: true` on a retry.
 */
export async function idempotentReply(
  deps: Pick<AppDeps, 'uow' | 'idempotency'>,
  request: FastifyRequest,
  reply: FastifyReply,
  call: {
    route: string;
    payload: unknown;
    work: (context: SyncContext) => Promise<unknown>;
    /** The success status (202 for work that continues in the background). */
    status?: number;
  },
): Promise<FastifyReply> {
  const key = request.headers['idempotency-key'];
  const result = await withIdempotency(
    deps.uow,
    {
      userId: requireAuth(request).user.id,
      key: typeof key === 'string' ? key : undefined,
      route: call.route,
      request: call.payload,
    },
    async (guard) => ({
      status: call.status ?? 200,
      body: await call.work({ ...contextOf(request), ...(guard ? { idempotency: guard } : {}) }),
    }),
    deps.idempotency ?? {},
  );
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  if (result.status >= 400) {
    const { code, detail, ...rest } = result.body as { code: ErrorCode; detail: string };
    return sendProblem(reply, code, detail, rest);
  }
  return reply.status(result.status).send(result.body);
}
