import type { FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { z } from 'zod';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from '#src/domain/errors.ts';
import {
  asSentences,
  describeIssues,
  type FieldProblem,
} from '#src/domain/settings/issue-messages.ts';

/**
 * RFC 9457 problem details with the stable `code` of SPEC §5. A refused value also carries
 * `errors`: one `{ path, message }` per field, the same sentences as `detail` (issue-messages.ts).
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  requestId?: string;
  errors?: FieldProblem[];
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

/** How a refused part of a request is named when the whole of it is wrong. */
const PART_LABELS: Record<string, string> = {
  body: 'The request body',
  querystring: 'The query string',
  params: 'The address',
  headers: 'The request headers',
};

function partOf(request: FastifyRequest, part: string): unknown {
  switch (part) {
    case 'body':
      return request.body;
    case 'querystring':
      return request.query;
    case 'params':
      return request.params;
    case 'headers':
      return request.headers;
    default:
      return undefined;
  }
}

/** fastify-type-provider-zod's entry back into the zod issue it was made from. */
function issueOf(entry: FastifySchemaValidationError): z.core.$ZodIssue {
  const raw = entry.instancePath.replace(/^\//, '');
  const path = (raw === '' ? [] : raw.split('/')).map((segment) =>
    /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment,
  );
  return {
    ...entry.params,
    code: entry.keyword,
    path,
    message: entry.message ?? '',
  } as z.core.$ZodIssue;
}

/**
 * A request refused by its route's schema: 400 invalid_request, a sentence per field in `detail`
 * and in `errors` (paths inside the part named by `in`: body, querystring, params, headers).
 */
export function sendValidationProblem(
  reply: FastifyReply,
  part: string,
  validation: readonly FastifySchemaValidationError[],
): FastifyReply {
  const errors = describeIssues(validation.map(issueOf), {
    root: PART_LABELS[part] ?? 'The request',
    input: partOf(reply.request, part),
  });
  return sendProblem(reply, 'invalid_request', `The request is not valid: ${asSentences(errors)}`, {
    in: part,
    errors,
  });
}
