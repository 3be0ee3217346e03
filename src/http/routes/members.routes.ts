import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  memberPageSchema,
  memberUpdateSchema,
  primaryAdminTransferSchema,
  teamSummarySchema,
} from '#src/domain/contracts/members.contract.ts';
import { noContent, withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  addTeamMember,
  LAST_TEAM_WARNING,
  listOrganizationMembers,
  listTeamMembers,
  listTeams,
  removeTeamMember,
  updateMember,
} from '#src/services/members/member.service.ts';
import { MemberPageCache } from '#src/services/members/member-page-cache.ts';
import { transferPrimaryAdmin } from '#src/services/members/primary-admin.service.ts';

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
const organizationMembersQuery = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  q: z.string().max(200).optional(),
  team: z
    .string()
    .max(100)
    .optional()
    .describe('A team id of your organization, or `none`: the members on no team'),
  status: z.enum(['active', 'invited', 'deactivated']).optional(),
});
const primaryAdminBody = z.strictObject({ userId: z.string().max(100) });
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
  const memberDeps = {
    uow: deps.uow,
    keyring: deps.keyring,
    memberPages: new MemberPageCache(),
    queue: deps.queue,
    batchSize: deps.bulk?.batchSize,
  };

  app.get(
    '/api/teams',
    {
      schema: {
        tags: ['members'],
        summary: "Your organization's teams with member counts",
        response: withProblems({ 200: z.array(teamSummarySchema) }),
      },
    },
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
        response: withProblems({ 200: memberPageSchema }),
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

  app.get(
    '/api/members',
    {
      schema: {
        tags: ['members'],
        summary:
          "All members of your organization (the member table's rows, paginated and searchable); `team=<id>` or `team=none` (members on no team), `status`",
        querystring: organizationMembersQuery,
        response: withProblems({ 200: memberPageSchema }),
      },
    },
    async (request) =>
      listOrganizationMembers(memberDeps, contextOf(request), {
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        ...(request.query.limit ? { limit: request.query.limit } : {}),
        ...(request.query.q ? { q: request.query.q } : {}),
        ...(request.query.team === undefined ? {} : { team: request.query.team }),
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
      }),
  );

  app.post(
    '/api/organization/primary-admin',
    {
      schema: {
        tags: ['members'],
        summary:
          'Hand the primary admin role to an active admin or member (primary admin only); you become an admin',
        body: primaryAdminBody,
        response: withProblems({ 200: primaryAdminTransferSchema }),
      },
    },
    async (request) => transferPrimaryAdmin(memberDeps, contextOf(request), request.body.userId),
  );

  app.patch(
    '/api/members/:userId',
    {
      schema: {
        tags: ['members'],
        summary: "Change a member's role or access",
        params: memberParams,
        body: memberPatch,
        response: withProblems({ 200: memberUpdateSchema }),
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
    {
      schema: {
        tags: ['members'],
        summary: 'Add a member to a team',
        params: teamMemberParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      await addTeamMember(
        memberDeps,
        contextOf(request),
        request.params.teamId,
        request.params.userId,
      );
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/teams/:teamId/members/:userId',
    {
      schema: {
        tags: ['members'],
        summary:
          'Remove a member from a team. `Ergo-Teams-Left` gives how many teams they are still on; at 0 (their last team) an `Ergo-Warning` header says they stay in the organization, under "No team"',
        params: teamMemberParams,
        response: withProblems({ 204: noContent }),
      },
    },
    async (request, reply) => {
      const removal = await removeTeamMember(
        memberDeps,
        contextOf(request),
        request.params.teamId,
        request.params.userId,
      );
      // 204 stays the contract of this route; the warning rides in headers (no body on a 204).
      void reply.header('ergo-teams-left', String(removal.teamsLeft));
      if (removal.warning !== null) void reply.header('ergo-warning', LAST_TEAM_WARNING);
      return reply.status(204).send(null);
    },
  );
};
