import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  followResumedSchema,
  teamPoliciesSchema,
  teamPolicyInputSchema,
  teamPolicySchema,
} from '#src/domain/contracts/policies.contract.ts';
import { withProblems } from '#src/domain/contracts/problem.contract.ts';
import type { AppDeps } from '#src/http/app.ts';
import { contextOf } from '#src/http/request-context.ts';
import {
  getTeamPolicies,
  resumeFollow,
  setTeamPolicy,
  type PolicyDeps,
} from '#src/services/policies/policy.service.ts';

const teamParams = z.strictObject({ teamId: z.string().max(100) });
const policyParams = z.strictObject({
  teamId: z.string().max(100),
  category: z.string().max(100),
});
const memberCategoryParams = z.strictObject({
  userId: z.string().max(100),
  category: z.string().max(100),
});
const categoryParams = z.strictObject({ category: z.string().max(100) });

/**
 * Follow-the-admin policies (issue 16, ADR 0016): a team's policy per category (admins), and the
 * way back to following for a member with an exception: "Resume" (an admin) and "Reset to the
 * admin's settings" (the member). Both answer 202: the admin's values arrive by a one-member
 * follow run.
 */
export const policiesRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const policyDeps = (): PolicyDeps => {
    if (!deps.queue) throw new Error('follow policies need a job queue (AppDeps.queue)');
    return {
      uow: deps.uow,
      queue: deps.queue,
      ...(deps.bulk?.batchSize ? { batchSize: deps.bulk.batchSize } : {}),
    };
  };

  app.get(
    '/api/teams/:teamId/policies',
    {
      schema: {
        tags: ['members'],
        summary: "A team's follow policy per category, with conflicts and members' exceptions",
        params: teamParams,
        response: withProblems({ 200: teamPoliciesSchema }),
      },
    },
    async (request) =>
      getTeamPolicies({ uow: deps.uow }, contextOf(request), request.params.teamId),
  );

  app.put(
    '/api/teams/:teamId/policies/:category',
    {
      schema: {
        tags: ['members'],
        summary:
          "Set a team's policy for one category: manual, or follow an admin (optionally locked)",
        params: policyParams,
        body: teamPolicyInputSchema,
        response: withProblems({ 200: teamPolicySchema }),
      },
    },
    async (request) =>
      setTeamPolicy(
        policyDeps(),
        contextOf(request),
        request.params.teamId,
        request.params.category,
        request.body,
      ),
  );

  app.post(
    '/api/members/:userId/follow/:category/resume',
    {
      schema: {
        tags: ['members'],
        summary:
          "Resume following for a member (clears Overridden or Follow paused) and apply the admin's settings",
        params: memberCategoryParams,
        response: withProblems({ 202: followResumedSchema }),
      },
    },
    async (request, reply) => {
      const result = await resumeFollow(
        policyDeps(),
        contextOf(request),
        request.params.userId,
        request.params.category,
      );
      return reply.status(202).send(result);
    },
  );

  app.post(
    '/api/me/settings/:category/reset',
    {
      schema: {
        tags: ['my settings'],
        summary: "Reset to the admin's settings: follow your admin again in this category",
        params: categoryParams,
        response: withProblems({ 202: followResumedSchema }),
      },
    },
    async (request, reply) => {
      const result = await resumeFollow(
        policyDeps(),
        contextOf(request),
        'me',
        request.params.category,
      );
      return reply.status(202).send(result);
    },
  );
};
