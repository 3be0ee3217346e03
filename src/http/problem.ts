import type { FastifyReply } from 'fastify';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from '#src/domain/errors.ts';

/** RFC 9457 problem details with the stable `code` of SPEC §5. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  requestId?: string;
  [extension: string]: unknown;
}

export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  const status = HTTP_STATUS_BY_CODE[code];
  const problem: Problem = {
    type: `https://docs.ergo.example/errors/${code}`,
    title: code.replace(/_/g, ' '),
    status,
    code,
    detail,
    requestId: reply.request.id,
    ...extensions,
  };
  return reply.status(status).type('application/problem+json').send(problem);
}
