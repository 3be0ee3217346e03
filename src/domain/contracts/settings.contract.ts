import { z } from 'zod';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import { managedCategorySchema } from '#src/domain/contracts/policies.contract.ts';

/**
 * My settings (SPEC §4: a user reads and edits only their own dashboard) and the CRM connections
 * behind "Connect <CRM>" and "Test connection" (issue 12): the shapes the services return, the
 * routes declare and the clients read (as `Wire<…>`). Declared once. No shape here carries a
 * secret: CRM keys leave the server masked (SPEC §7).
 */

/** The categories of SPEC §2 with a plain settings value (CRM keys are the connections below). */
export const valueCategoryKeySchema = z.enum(CATEGORY_KEYS).exclude(['crm_keys']);

/** One category of the user's own dashboard. */
export const ownCategorySchema = z.object({
  key: valueCategoryKeySchema,
  label: z.string(),
  isSet: z.boolean().describe("False when never set: `value` is then the category's default"),
  version: z.number().int(),
  value: z.unknown().describe("The category's value, in the shape of its settings schema"),
  managed: managedCategorySchema
    .nullable()
    .describe('When a team policy makes you follow an admin in this category (issue 16)'),
});
export type OwnCategory = z.infer<typeof ownCategorySchema>;

/** GET /api/me/settings: every value category, with the dashboard's version. */
export const ownSettingsSchema = z.object({
  dashboardVersion: z
    .number()
    .int()
    .describe('Send it back with a write: a stale one is refused with `version_conflict`'),
  categories: z.array(ownCategorySchema),
});
export type OwnSettings = z.infer<typeof ownSettingsSchema>;

/** GET and PUT /api/me/settings/{category}: one category, with the dashboard's version. */
export const ownCategoryWithVersionSchema = ownCategorySchema.extend({
  dashboardVersion: z.number().int(),
});
export type OwnCategoryWithVersion = z.infer<typeof ownCategoryWithVersionSchema>;

/** A CRM connection as it leaves the server: never the secret itself (SPEC §7). */
export const maskedCrmConnectionSchema = z.object({
  crm: z.enum(CRM_KEYS),
  maskedKey: z
    .string()
    .describe('`••••` followed by at most the last 4 characters of the key; empty for OAuth'),
  via: z
    .enum(['key', 'oauth'])
    .describe('A pasted key, or "Connect <CRM>" (an OAuth grant, refreshed by Ergo)'),
  status: z
    .enum(['connected', 'reconnect_needed'])
    .describe('`reconnect_needed` after the CRM refused the key or revoked the grant'),
  statusDetail: z.string().nullable(),
  checkedAt: z.date().nullable(),
  scopes: z.array(z.string()).optional().describe('OAuth: the scopes granted'),
  accessExpiresAt: z
    .date()
    .nullable()
    .optional()
    .describe('OAuth: when the current access token expires (null: not said)'),
  instance: z.record(z.string(), z.unknown()).describe('Non-secret account details'),
  updatedAt: z.date(),
});
export type MaskedCrmConnection = z.infer<typeof maskedCrmConnectionSchema>;

/** The Salesforce login hosts the connect form offers. */
export const SALESFORCE_LOGINS = ['production', 'sandbox', 'my_domain'] as const;

/** Which CRMs this server can connect with OAuth, and what their connect forms ask. */
export const oauthAvailabilitySchema = z.object({
  crm: z.enum(CRM_KEYS),
  label: z.string(),
  oauth: z.boolean().describe('False: no OAuth client configured for this CRM; paste a key'),
  pasteIn: z.boolean().describe('Whether a key can be pasted in instead'),
  options: z.object({
    salesforceLogin: z.array(z.enum(SALESFORCE_LOGINS)).optional(),
    zohoDataCentres: z.array(z.string()).optional(),
  }),
});
export type OAuthAvailability = z.infer<typeof oauthAvailabilitySchema>;

/** GET /api/me/crm-connections/connect-options. */
export const connectOptionsSchema = z.object({ providers: z.array(oauthAvailabilitySchema) });
export type ConnectOptions = z.infer<typeof connectOptionsSchema>;

/** POST /api/me/crm-connections/{crm}/oauth: where to send the browser. */
export const oauthStartSchema = z.object({
  authorizationUrl: z.string().describe("The CRM's sign-in page; it sends the browser back"),
});
export type OAuthStart = z.infer<typeof oauthStartSchema>;

/** POST /api/me/crm-connections/{crm}/test: what the CRM said of the connection. */
export const connectionTestResultSchema = z.object({
  crm: z.enum(CRM_KEYS),
  status: z
    .enum(['connected', 'reconnect_needed', 'unreachable'])
    .describe('`connected`: the CRM accepted the connection; `unreachable`: it could not be asked'),
  via: z.enum(['key', 'oauth']),
  account: z
    .string()
    .optional()
    .describe('What the connection reaches ("Acme Inc. (portal 123456)"), when the CRM says'),
  scopes: z.array(z.string()).optional(),
  expiresAt: z.date().nullable().optional().describe('When the access token expires, when known'),
  detail: z.string(),
  checkedAt: z.date(),
});
export type ConnectionTestResult = z.infer<typeof connectionTestResultSchema>;

/** GET /oauth/callback/{crm}: a redirect, no body. */
export const oauthCallbackRedirect = z
  .null()
  .describe(
    'See Other: Location is the CRM connections page with the outcome, `?crm=<crm>&connected=1` or `?crm=<crm>&error=<code>` (`?error=invalid_request` for an unknown CRM)',
  );
