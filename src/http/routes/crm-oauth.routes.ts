import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withProblems } from '#src/domain/contracts/problem.contract.ts';
import {
  connectionTestResultSchema,
  connectOptionsSchema,
  oauthCallbackRedirect,
  oauthStartSchema,
} from '#src/domain/contracts/settings.contract.ts';
import { isCrmKey } from '#src/domain/crm.ts';
import { AppError } from '#src/domain/errors.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf, requireAuth, requireSession } from '#src/http/request-context.ts';
import {
  completeOAuthConnect,
  oauthAvailability,
  startOAuthConnect,
  testOwnCrmConnection,
  type OAuthConnectDeps,
} from '#src/services/crm-connections/oauth-connect.service.ts';

const crmParams = z.strictObject({ crm: z.string().max(50) });
const startBody = z
  .strictObject({
    salesforceLogin: z.string().max(50).optional(),
    myDomain: z.string().max(300).optional(),
    zohoDataCentre: z.string().max(20).optional(),
  })
  .optional();

/** Where the web app shows the outcome of "Connect <CRM>". */
const CONNECTIONS_PAGE = '/settings/crm-connections';

/**
 * "Connect <CRM>" (OAuth authorization-code flow) and "Test connection" (issue 12). The callback
 * is a browser navigation from the vendor, so it lives outside /api and answers with a redirect
 * to the CRM connections page, which says what happened.
 */
export const crmOAuthRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const oauthDeps: OAuthConnectDeps = {
    uow: deps.uow,
    keyring: deps.keyring,
    oauth: deps.oauth ?? {},
    connectorFor: deps.connectorFor,
    queue: deps.queue,
    batchSize: deps.bulk?.batchSize,
    ...(deps.now ? { now: () => (deps.now?.() ?? new Date()).getTime() } : {}),
  };
  const redirectUriFor = (request: FastifyRequest, crm: string) =>
    `${deps.publicUrl ?? `${request.protocol}://${request.host}`}/oauth/callback/${crm}`;

  app.get(
    '/api/me/crm-connections/connect-options',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Which CRMs this server connects with OAuth, and what each connect form asks',
        response: withProblems({ 200: connectOptionsSchema }),
      },
    },
    async (request) => {
      requireAuth(request);
      return { providers: oauthAvailability(oauthDeps) };
    },
  );

  app.post(
    '/api/me/crm-connections/:crm/oauth',
    {
      schema: {
        tags: ['my settings'],
        summary:
          'Begin "Connect <CRM>": returns the vendor authorization URL to send the browser to',
        params: crmParams,
        body: startBody,
        response: withProblems({ 200: oauthStartSchema }),
      },
    },
    async (request) => {
      const auth = requireSession(request);
      const crm = request.params.crm;
      return startOAuthConnect(
        oauthDeps,
        { ...contextOf(request), sessionId: auth.sessionId },
        crm,
        request.body ?? {},
        redirectUriFor(request, isCrmKey(crm) ? crm : 'unknown'),
      );
    },
  );

  app.post(
    '/api/me/crm-connections/:crm/test',
    {
      schema: {
        tags: ['my settings'],
        summary: 'Test connection: ask the CRM whether it accepts your connection',
        params: crmParams,
        response: withProblems({ 200: connectionTestResultSchema }),
      },
    },
    async (request) => testOwnCrmConnection(oauthDeps, contextOf(request), request.params.crm),
  );

  app.get(
    '/oauth/callback/:crm',
    {
      // The URL carries the authorization code and state: not written to the request log.
      logLevel: 'warn',
      schema: {
        tags: ['my settings'],
        summary: 'Where the CRM sends the browser back after "Connect <CRM>" (redirects)',
        params: crmParams,
        response: withProblems({ 303: oauthCallbackRedirect }),
      },
    },
    async (request, reply) => {
      const crm = request.params.crm;
      const back = (query: Record<string, string>) =>
        reply.redirect(`${CONNECTIONS_PAGE}?${new URLSearchParams(query).toString()}`, 303);
      if (!isCrmKey(crm)) return back({ error: 'invalid_request' });
      if (request.auth?.via !== 'session') return back({ crm, error: 'unauthenticated' });
      const query = new URL(request.url, 'http://callback.invalid').searchParams;
      try {
        await completeOAuthConnect(
          oauthDeps,
          { ...contextOf(request), sessionId: request.auth.sessionId },
          crm,
          query,
        );
        return await back({ crm, connected: '1' });
      } catch (error) {
        if (error instanceof AppError) {
          request.log.info({ crm, code: error.code }, 'CRM OAuth connect did not complete');
          return back({ crm, error: error.code });
        }
        throw error;
      }
    },
  );
};
