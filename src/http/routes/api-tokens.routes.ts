import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiTokenListSchema,
  createApiTokenBodySchema,
  createdApiTokenSchema,
} from '#src/domain/contracts/api-tokens.contract.ts';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { requireAuth } from '#src/http/request-context.ts';
import type { FastifyRequest } from 'fastify';
import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  type ApiTokenCaller,
} from '#src/services/auth/api-tokens.service.ts';

const tokenParams = z.strictObject({ tokenId: z.string().max(100) });

function callerOf(request: FastifyRequest): ApiTokenCaller {
  const auth = requireAuth(request);
  return {
    user: auth.user,
    ...(auth.via === 'token' ? { token: auth.token } : {}),
    requestId: request.id,
  };
}

/** Personal API tokens (issue 15): the signed-in user's own, for the CLI and scripts. */
export const apiTokenRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const tokenDeps = { uow: deps.uow, ...(deps.now ? { now: deps.now } : {}) };

  app.post(
    '/api/me/api-tokens',
    {
      schema: {
        tags: ['api tokens'],
        summary:
          'Create a personal API token (the token is in this response only; needs a signed-in session)',
        body: createApiTokenBodySchema,
        response: withProblems({ 201: createdApiTokenSchema }),
      },
    },
    async (request, reply) => {
      const created = await createApiToken(tokenDeps, callerOf(request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/me/api-tokens',
    {
      schema: {
        tags: ['api tokens'],
        summary:
          'Your personal API tokens, newest first (never the tokens: their last 4 characters)',
        response: withProblems({ 200: apiTokenListSchema }),
      },
    },
    async (request) => listApiTokens(tokenDeps, callerOf(request)),
  );

  app.delete(
    '/api/me/api-tokens/:tokenId',
    {
      schema: {
        tags: ['api tokens'],
        summary:
          'Revoke one of your API tokens: it stops working at once (a token may revoke itself)',
        params: tokenParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await revokeApiToken(tokenDeps, callerOf(request), request.params.tokenId);
      return reply.status(204).send(null);
    },
  );
};
