import { z } from 'zod';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';

/**
 * Follow-the-admin policies (issue 16, ADR 0016): per team × category, `manual` (an admin syncs
 * by hand) or `follow` a named source admin, whose changes to that category are pushed to the
 * team's members as bulk runs; a followed category may be locked. A member's exception to a
 * followed category is `overridden` (their own edit) or `paused` (after a revert). Declared once:
 * the services return these, the routes declare them, the console and the CLI read them.
 */

export const POLICY_MODES = ['manual', 'follow'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

export const FOLLOW_STATES = ['overridden', 'paused'] as const;
export type FollowState = (typeof FOLLOW_STATES)[number];

const personSchema = z.object({ id: z.string(), name: z.string() });

/** Another team sharing members with this one whose policy for the category differs. */
export const policyConflictSchema = z.object({
  teamId: z.string(),
  teamName: z.string(),
  mode: z.enum(POLICY_MODES),
  source: personSchema.nullable(),
  sharedMembers: z.number().int().describe('Members on both teams'),
  governs: z
    .enum(['this_team', 'other_team'])
    .describe('Whose policy the shared members follow: the more recently changed one'),
});

/** A member of the team who does not follow this category right now. */
export const followExceptionSchema = z.object({
  userId: z.string(),
  name: z.string(),
  state: z.enum(FOLLOW_STATES),
  since: z.date(),
});

export const teamPolicySchema = z.object({
  category: z.enum(CATEGORY_KEYS),
  label: z.string(),
  mode: z.enum(POLICY_MODES),
  source: personSchema.nullable().describe('The admin followed; null under `manual`'),
  locked: z.boolean().describe('Members cannot change a locked category (only with `follow`)'),
  updatedAt: z.date().nullable().describe('Null: never set (manual by default)'),
  updatedBy: personSchema.nullable(),
  conflicts: z.array(policyConflictSchema),
  exceptions: z.array(followExceptionSchema),
});
export type TeamPolicy = z.infer<typeof teamPolicySchema>;

/** GET /api/teams/{teamId}/policies: one policy per category, in the categories' order. */
export const teamPoliciesSchema = z.object({
  teamId: z.string(),
  teamName: z.string(),
  policies: z.array(teamPolicySchema),
  sources: z.array(personSchema).describe('The admins a policy may follow'),
});
export type TeamPolicies = z.infer<typeof teamPoliciesSchema>;

/** PUT /api/teams/{teamId}/policies/{category}. */
export const teamPolicyInputSchema = z.strictObject({
  mode: z.enum(POLICY_MODES),
  sourceUserId: z
    .string()
    .max(100)
    .nullable()
    .optional()
    .describe('Required with `follow`: an active admin of your organization'),
  locked: z.boolean().optional().describe('Only with `follow` (a lock without follow: 400)'),
});
export type TeamPolicyInput = z.infer<typeof teamPolicyInputSchema>;

/** What governs one category of a member's dashboard, when a policy makes them follow it. */
export const managedCategorySchema = z.object({
  by: personSchema.describe('The admin followed'),
  teamId: z.string(),
  teamName: z.string(),
  locked: z.boolean(),
  state: z
    .enum(FOLLOW_STATES)
    .nullable()
    .describe('`overridden`: your own edit, kept; `paused`: after a revert; null: following'),
  label: z.string().describe('"Managed by your admin, <name>"'),
});
export type ManagedCategory = z.infer<typeof managedCategorySchema>;

/** The answer of "Reset to the admin's settings" / "Resume". */
export const followResumedSchema = z.object({
  category: z.enum(CATEGORY_KEYS),
  userId: z.string(),
  bulkRunId: z
    .string()
    .nullable()
    .describe("The one-member run that applies the admin's settings (null: nothing to apply)"),
});
export type FollowResumed = z.infer<typeof followResumedSchema>;
