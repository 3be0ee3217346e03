import { z } from 'zod';

/**
 * Personal API tokens (issue 15): `Authorization: Bearer <token>` on any /api route in place of
 * the session cookie and its CSRF token. A scope says what kinds of request a token may send;
 * the owner's role still decides what they may do (a token never does more than its owner).
 * - `read`: any GET (everything the owner can see);
 * - `sync`: also Sync Settings, Sync CRM (one member or bulk), reverts, and the owner's own
 *   settings and CRM connections;
 * - `admin`: also managing members, teams, invitations and SCIM tokens.
 * Each scope includes the ones before it.
 */
export const API_TOKEN_SCOPES = ['read', 'sync', 'admin'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** Every personal API token starts so: recognisable in a secret scanner or a pasted script. */
export const API_TOKEN_PREFIX = 'ergo_pat_';
export const API_TOKEN_NAME_MAX = 100;
export const API_TOKEN_MAX_DAYS = 365;

/** Whether a token holding `scopes` may send a request that needs `needed`. */
export function scopeAllows(scopes: readonly ApiTokenScope[], needed: ApiTokenScope): boolean {
  const rank = API_TOKEN_SCOPES.indexOf(needed);
  return scopes.some((scope) => API_TOKEN_SCOPES.indexOf(scope) >= rank);
}

/** A token as its owner sees it: never the token itself, only its last 4 characters. */
export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(API_TOKEN_SCOPES)),
  hint: z.string().describe('The last 4 characters of the token'),
  createdAt: z.date(),
  expiresAt: z.date().nullable().describe('null: never expires'),
  lastUsedAt: z.date().nullable().describe('Recorded at most once a minute'),
  revokedAt: z.date().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

/** POST /api/me/api-tokens. */
export const createApiTokenBodySchema = z.strictObject({
  name: z.string().max(500),
  scopes: z.array(z.enum(API_TOKEN_SCOPES)).min(1).max(3),
  expiresInDays: z
    .number()
    .int()
    .min(1)
    .max(API_TOKEN_MAX_DAYS)
    .nullable()
    .describe(`Days until it stops working (1-${API_TOKEN_MAX_DAYS}); null: never`),
});
export type CreateApiTokenBody = z.infer<typeof createApiTokenBodySchema>;

export const createdApiTokenSchema = z.object({
  token: z.string().describe('Shown this once: only its hash is stored'),
  apiToken: apiTokenSchema,
});
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;

/** GET /api/me/api-tokens: the owner's tokens, newest first (revoked ones included). */
export const apiTokenListSchema = z.object({ items: z.array(apiTokenSchema) });
export type ApiTokenList = z.infer<typeof apiTokenListSchema>;
