import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  addTeamMember,
  listTeamMembers,
  listTeams,
  removeTeamMember,
  updateMember,
} from '#src/services/members/member.service.ts';

const teamParams = z.strictObject({ teamId: z.string().max(100) });
const teamMemberParams = z.strictObject({
  teamId: z.string().max(100),
  userId: z.string().max(100),
});
const memberParams = z.strictObject({ userId: z.string().max(100) });
const membersQuery = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  q: z.string().max(200).optional(),
  driftFrom: z.string().max(100).optional(),
});
const memberPatch = z
  .strictObject({
    role: z.enum(['admin', 'member']).optional(),
    status: z.enum(['active', 'deactivated']).optional(),
  })
  .refine(
    (patch) => patch.role !== undefined || patch.status !== undefined,
    'Give a role or a status to change.',
  );

/** Teams, the member table, roles, access and team membership (SPEC §4). */
export const membersRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const memberDeps = { uow: deps.uow, keyring: deps.keyring };

  app.get(
    '/api/teams',
    { schema: { tags: ['members'], summary: "Your organization's teams with member counts" } },
    async (request) => listTeams(memberDeps, contextOf(request)),
  );

  app.get(
    '/api/teams/:teamId/members',
    {
      schema: {
        tags: ['members'],
        summary:
          "The member table of a team: paginated, searchable, with last sync and the actions you may run on each row; `driftFrom=me` (or an admin id) adds each row's drift per category",
        params: teamParams,
        querystring: membersQuery,
      },
    },
    async (request) =>
      listTeamMembers(memberDeps, contextOf(request), request.params.teamId, {
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        ...(request.query.limit ? { limit: request.query.limit } : {}),
        ...(request.query.q ? { q: request.query.q } : {}),
        ...(request.query.driftFrom === undefined ? {} : { driftFrom: request.query.driftFrom }),
      }),
  );

  app.patch(
    '/api/members/:userId',
    {
      schema: {
        tags: ['members'],
        summary: "Change a member's role or access",
        params: memberParams,
        body: memberPatch,
      },
    },
    async (request) =>
      updateMember(memberDeps, contextOf(request), request.params.userId, {
        ...(request.body.role ? { role: request.body.role } : {}),
        ...(request.body.status ? { status: request.body.status } : {}),
      }),
  );

  app.post(
    '/api/teams/:teamId/members/:userId',
    { schema: { tags: ['members'], summary: 'Add a member to a team', params: teamMemberParams } },
    async (request, reply) => {
      await addTeamMember(
        memberDeps,
        contextOf(request),
        request.params.teamId,
        request.params.userId,
      );
      return reply.status(204).send();
    },
  );

  app.delete(
    '/api/teams/:teamId/members/:userId',
    {
      schema: {
        tags: ['members'],
        summary: 'Remove a member from a team',
        params: teamMemberParams,
      },
    },
    async (request, reply) => {
      await removeTeamMember(
        memberDeps,
        contextOf(request),
        request.params.teamId,
        request.params.userId,
      );
      return reply.status(204).send();
    },
  );
};
