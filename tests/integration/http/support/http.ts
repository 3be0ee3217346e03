import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '#src/domain/errors.ts';
import { agentHeaders, type Agent } from '#tests/support/test-app.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: Method;
  url: string;
  /** JSON-encoded when not a string; a string is sent as is (with `contentType`). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * Sends `request` as `agent` (anonymous when undefined). The CSRF header goes with every
 * state-changing request unless `csrf` is false.
 */
export function send(
  app: FastifyInstance,
  agent: Agent | undefined,
  request: HttpRequest,
  options: { csrf?: boolean } = {},
): Promise<LightMyRequestResponse> {
  const csrf = options.csrf ?? true;
  const headers: Record<string, string> = {
    ...agentHeaders(agent, request.method, csrf),
    ...request.headers,
  };
  if (request.body !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/json';
  }
  return app.inject({
    method: request.method,
    url: request.url,
    headers,
    ...(request.body === undefined
      ? {}
      : {
          payload: typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
        }),
  });
}

/** An RFC 9457 problem with one of the stable codes; returns its code. */
export function expectProblem(response: LightMyRequestResponse, label: string): ErrorCode {
  expect(response.headers['content-type'], `${label}: content type`).toMatch(
    /^application\/problem\+json/,
  );
  const body = response.json<{ code?: unknown; status?: unknown }>();
  expect(ERROR_CODES as readonly unknown[], `${label}: code ${String(body.code)}`).toContain(
    body.code,
  );
  expect(body.status, `${label}: status field`).toBe(response.statusCode);
  return body.code as ErrorCode;
}

export function describeResponse(response: LightMyRequestResponse): string {
  return `${response.statusCode} ${response.body.slice(0, 300)}`;
}
