import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isDatabaseUnavailable } from '#src/db/connection-errors.ts';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import {
  createdScimTokenSchema,
  createScimTokenBodySchema,
  SCIM_MEDIA_TYPE,
  scimErrors,
  scimGroupListSchema,
  scimGroupSchema,
  scimResourceTypeListSchema,
  scimSchemaListSchema,
  scimServiceProviderConfigSchema,
  scimTokenListSchema,
  scimUserListSchema,
  scimUserSchema,
  withScimErrors,
} from '#src/domain/contracts/scim.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  errorBody,
  listResponse,
  resourceTypes,
  schemas,
  scimErrorOf,
  serviceProviderConfig,
} from '#src/services/scim/scim-protocol.ts';
import {
  createScimGroup,
  deleteScimGroup,
  getScimGroup,
  listScimGroups,
  patchScimGroup,
  replaceScimGroup,
} from '#src/services/scim/scim-groups.service.ts';
import {
  authenticateScimToken,
  createScimToken,
  listScimTokens,
  revokeScimToken,
} from '#src/services/scim/scim-tokens.service.ts';
import {
  createScimUser,
  deleteScimUser,
  getScimUser,
  listScimUsers,
  patchScimUser,
  replaceScimUser,
  type ScimContext,
  type ScimDeps,
} from '#src/services/scim/scim-users.service.ts';

const SCIM_CONTENT_TYPE = `${SCIM_MEDIA_TYPE}; charset=utf-8`;

const tokenParams = z.strictObject({ id: z.string().max(100) });
const idParams = z.strictObject({ id: z.string().max(100) });
const listQuery = z.looseObject({
  filter: z.string().max(1000).optional(),
  startIndex: z.string().max(20).optional(),
  count: z.string().max(20).optional(),
  attributes: z.string().max(1000).optional(),
  excludedAttributes: z.string().max(1000).optional(),
});
const getQuery = z.looseObject({
  attributes: z.string().max(1000).optional(),
  excludedAttributes: z.string().max(1000).optional(),
});
/** SCIM bodies carry many attributes Ergo does not keep: the services read what they need. */
const scimBody = z.looseObject({ schemas: z.array(z.string().max(200)).max(20).optional() });

/**
 * SCIM: the console's token management under /api (session, CSRF, admins), and the SCIM 2.0
 * service at /scim/v2 for identity providers (bearer token; RFC 7643 / RFC 7644).
 */
export const scimRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  await app.register(scimTokenRoutes, { deps });
  await app.register(scimServiceRoutes, { deps, prefix: '/scim/v2' });
};

/** SCIM tokens, managed by the organization's admins in the console. */
const scimTokenRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const tokenDeps = { uow: deps.uow, ...(deps.now ? { now: deps.now } : {}) };

  app.post(
    '/api/scim-tokens',
    {
      schema: {
        tags: ['scim'],
        summary:
          'Create a SCIM token for your identity provider (the token is in this response only)',
        body: createScimTokenBodySchema,
        response: withProblems({ 201: createdScimTokenSchema }),
      },
    },
    async (request, reply) => {
      const created = await createScimToken(tokenDeps, contextOf(request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/scim-tokens',
    {
      schema: {
        tags: ['scim'],
        summary: "Your organization's SCIM tokens (never the tokens: their last 4 characters)",
        response: withProblems({ 200: scimTokenListSchema }),
      },
    },
    async (request) => listScimTokens(tokenDeps, contextOf(request)),
  );

  app.delete(
    '/api/scim-tokens/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'Revoke a SCIM token: it stops working at once',
        params: tokenParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await revokeScimToken(tokenDeps, contextOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

/**
 * The SCIM 2.0 service. Encapsulated (registered without fastify-plugin) so that its own
 * error and not-found handlers answer in SCIM's error format, not the app's problem+json.
 * No session and no CSRF token: every request carries `Authorization: Bearer <SCIM token>`,
 * which names the one organization the request sees.
 */
const scimServiceRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const contexts = new WeakMap<FastifyRequest, ScimContext>();
  const tokenDeps = { uow: deps.uow, ...(deps.now ? { now: deps.now } : {}) };

  app.addContentTypeParser(
    'application/scim+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.addHook('onRequest', async (request) => {
    const owner = await authenticateScimToken(tokenDeps, request.headers.authorization);
    contexts.set(request, {
      organizationId: owner.organizationId,
      scimClientId: owner.id,
      scimClientName: owner.name,
      requestId: request.id,
      baseUrl: `${(deps.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '')}/scim/v2`,
    });
  });

  // Before serialization, so that fastify picks each route's `application/scim+json` response
  // schema (withScimErrors) for the body; onSend below covers bodies sent already serialized.
  app.addHook('preSerialization', async (_request, reply, payload) => {
    reply.type(SCIM_CONTENT_TYPE);
    return payload;
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    if (payload !== null && payload !== undefined && payload !== '') {
      reply.header('content-type', SCIM_CONTENT_TYPE);
    }
    return payload;
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof AppError) {
      const { status, body } = scimErrorOf(error);
      return sendScimError(reply, status, body);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const detail = error.validation
        .map(
          (issue) =>
            `${where}${issue.instancePath.replace(/\//g, '.')}: ${issue.message ?? 'is invalid'}`,
        )
        .join('; ');
      return sendScimError(
        reply,
        400,
        errorBody(400, `The request is not valid: ${detail}`, 'invalidSyntax'),
      );
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, unsupported content type.
      return sendScimError(
        reply,
        status,
        errorBody(
          status,
          'The request could not be read: send a JSON body with Content-Type application/scim+json.',
          status === 400 ? 'invalidSyntax' : undefined,
        ),
      );
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ reason: (error as Error).message }, 'database unavailable');
      reply.header('retry-after', '5');
      return sendScimError(
        reply,
        503,
        errorBody(503, 'The database is not reachable right now; nothing was changed. Try again.'),
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendScimError(
      reply,
      500,
      errorBody(
        500,
        'Something went wrong on our side. Try again; if it persists, contact support.',
      ),
    );
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return sendScimError(
      reply,
      404,
      errorBody(404, `No SCIM endpoint for ${request.method} ${path}.`),
    );
  });

  const scimDeps: ScimDeps = {
    uow: deps.uow,
    queue: deps.queue,
    batchSize: deps.bulk?.batchSize,
    ...(deps.mailer ? { mailer: deps.mailer } : {}),
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  };
  const withLog = (request: FastifyRequest): ScimDeps => ({ ...scimDeps, logger: request.log });
  const contextFor = (request: FastifyRequest): ScimContext => {
    const context = contexts.get(request);
    if (!context) throw new AppError('unauthenticated', 'A valid SCIM token is required.');
    return context;
  };

  // --- discovery (RFC 7644 §4) -----------------------------------------------------------------

  app.get(
    '/ServiceProviderConfig',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: what this service supports',
        response: withScimErrors({ 200: scimServiceProviderConfigSchema }),
      },
    },
    async (request) => serviceProviderConfig(contextFor(request).baseUrl),
  );

  app.get(
    '/ResourceTypes',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: the resource types (User, Group)',
        response: withScimErrors({ 200: scimResourceTypeListSchema }),
      },
    },
    async (request) => {
      const types = resourceTypes(contextFor(request).baseUrl);
      return listResponse(types, types.length, 1);
    },
  );

  app.get(
    '/Schemas',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: the User and Group schemas',
        response: withScimErrors({ 200: scimSchemaListSchema }),
      },
    },
    async (request) => {
      const all = schemas(contextFor(request).baseUrl);
      return listResponse(all, all.length, 1);
    },
  );

  // --- Users -----------------------------------------------------------------------------------

  app.get(
    '/Users',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: list users (filter userName eq or externalId eq; startIndex, count)',
        querystring: listQuery,
        response: withScimErrors({ 200: scimUserListSchema }),
      },
    },
    async (request) => listScimUsers(scimDeps, contextFor(request), request.query),
  );

  app.post(
    '/Users',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: provision a user (invited, with an invitation email)',
        body: scimBody,
        response: withScimErrors({ 201: scimUserSchema }),
      },
    },
    async (request, reply) => {
      const user = await createScimUser(withLog(request), contextFor(request), request.body);
      return reply.status(201).header('location', user.meta.location).send(user);
    },
  );

  app.get(
    '/Users/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: a user',
        params: idParams,
        querystring: getQuery,
        response: withScimErrors({ 200: scimUserSchema }),
      },
    },
    async (request) => getScimUser(scimDeps, contextFor(request), request.params.id),
  );

  app.put(
    '/Users/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: replace a user',
        params: idParams,
        body: scimBody,
        response: withScimErrors({ 200: scimUserSchema }),
      },
    },
    async (request) =>
      replaceScimUser(scimDeps, contextFor(request), request.params.id, request.body),
  );

  app.patch(
    '/Users/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: update a user (active false deactivates, true reactivates)',
        params: idParams,
        body: scimBody,
        response: withScimErrors({ 200: scimUserSchema }),
      },
    },
    async (request) =>
      patchScimUser(scimDeps, contextFor(request), request.params.id, request.body),
  );

  app.delete(
    '/Users/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: deprovision a user (deactivated, never deleted)',
        params: idParams,
        response: { 204: noContent, ...scimErrors },
      },
    },
    async (request, reply) => {
      await deleteScimUser(scimDeps, contextFor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  // --- Groups (teams) --------------------------------------------------------------------------

  app.get(
    '/Groups',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: list groups, i.e. teams (filter displayName eq; startIndex, count)',
        querystring: listQuery,
        response: withScimErrors({ 200: scimGroupListSchema }),
      },
    },
    async (request) => listScimGroups(scimDeps, contextFor(request), request.query),
  );

  app.post(
    '/Groups',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: create a team',
        body: scimBody,
        response: withScimErrors({ 201: scimGroupSchema }),
      },
    },
    async (request, reply) => {
      const group = await createScimGroup(scimDeps, contextFor(request), request.body);
      return reply.status(201).header('location', group.meta.location).send(group);
    },
  );

  app.get(
    '/Groups/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: a team',
        params: idParams,
        querystring: getQuery,
        response: withScimErrors({ 200: scimGroupSchema }),
      },
    },
    async (request) =>
      getScimGroup(scimDeps, contextFor(request), request.params.id, request.query),
  );

  app.put(
    '/Groups/:id',
    {
      schema: {
        tags: ['scim'],
        summary: "SCIM: replace a team's name and members",
        params: idParams,
        body: scimBody,
        response: withScimErrors({ 200: scimGroupSchema }),
      },
    },
    async (request) =>
      replaceScimGroup(scimDeps, contextFor(request), request.params.id, request.body),
  );

  app.patch(
    '/Groups/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: rename a team, add or remove members',
        params: idParams,
        body: scimBody,
        response: withScimErrors({ 200: scimGroupSchema }),
      },
    },
    async (request) =>
      patchScimGroup(scimDeps, contextFor(request), request.params.id, request.body),
  );

  app.delete(
    '/Groups/:id',
    {
      schema: {
        tags: ['scim'],
        summary: 'SCIM: delete a team (its members stay in the organization)',
        params: idParams,
        response: { 204: noContent, ...scimErrors },
      },
    },
    async (request, reply) => {
      await deleteScimGroup(scimDeps, contextFor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

function sendScimError(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(SCIM_CONTENT_TYPE).send(body);
}
