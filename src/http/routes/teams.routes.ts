import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { teamSummarySchema } from '#src/domain/contracts/members.contract.ts';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import { createTeam, deleteTeam, renameTeam } from '#src/services/teams/team.service.ts';

const teamParams = z.strictObject({ teamId: z.string().max(100) });
const teamBody = z.strictObject({
  name: z
    .string()
    .max(200)
    .describe('1 to 120 characters once trimmed; unique in the organization'),
});

/**
 * Teams (SPEC §4 "manage teams"; issue 13): create, rename, delete. Listing and membership are
 * in members.routes.ts. Admins only; another organization's team is not found.
 */
export const teamsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const teamDeps = { uow: deps.uow };

  app.post(
    '/api/teams',
    {
      schema: {
        tags: ['members'],
        summary: 'Create a team (a name already used in your organization: 409 team_name_taken)',
        body: teamBody,
        response: withProblems({ 201: teamSummarySchema }),
      },
    },
    async (request, reply) => {
      const team = await createTeam(teamDeps, contextOf(request), { name: request.body.name });
      return reply.status(201).send(team);
    },
  );

  app.patch(
    '/api/teams/:teamId',
    {
      schema: {
        tags: ['members'],
        summary: 'Rename a team',
        params: teamParams,
        body: teamBody,
        response: withProblems({ 200: teamSummarySchema }),
      },
    },
    async (request) =>
      renameTeam(teamDeps, contextOf(request), request.params.teamId, { name: request.body.name }),
  );

  app.delete(
    '/api/teams/:teamId',
    {
      schema: {
        tags: ['members'],
        summary: 'Delete a team: its members stay in your organization',
        params: teamParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await deleteTeam(teamDeps, contextOf(request), request.params.teamId);
      return reply.status(204).send(null);
    },
  );
};
