import { z } from 'zod';
import { ROLES, USER_STATUSES } from '#src/domain/roles.ts';

/** The signed-in user as a session sees it. */
export const sessionUserSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

/** POST /api/auth/login. */
export const loginResponseSchema = z.object({
  user: sessionUserSchema,
  csrfToken: z.string().describe('Send it as `x-csrf-token` on every state-changing request'),
});

/** GET /api/me. */
export const meSchema = z.object({
  user: sessionUserSchema.extend({ hasDashboard: z.boolean() }),
  organization: z.object({ id: z.string(), name: z.string() }).nullable(),
  csrfToken: z.string(),
});
export type Me = z.infer<typeof meSchema>;
