import type { ApiTokenScope } from '#src/domain/contracts/api-tokens.contract.ts';

/**
 * What a personal API token needs to send each request (issue 15), in one table: any read needs
 * `read`; the writes below need `sync`; a few need a signed-in session (a browser flow, or minting
 * tokens); every other write needs `admin`. A new write route is therefore `admin` until listed
 * here: the narrowest reading. Keys are "METHOD /route/:pattern" as Fastify registers them.
 */
const SYNC_WRITES = new Set([
  'POST /api/members/:userId/sync-settings',
  'POST /api/members/:userId/sync-crm',
  'POST /api/members/:userId/sync-crm/owner-properties',
  'POST /api/syncs/:syncId/revert',
  'POST /api/bulk-syncs',
  'POST /api/bulk-syncs/:id/cancel',
  'POST /api/bulk-syncs/:id/retry',
  'POST /api/bulk-syncs/:id/revert',
  // One's own settings and CRM keys.
  'PUT /api/me/settings/:category',
  'PUT /api/me/crm-connections/:crm',
  'DELETE /api/me/crm-connections/:crm',
  'POST /api/me/crm-connections/:crm/test',
  // Follow policies (issue 16): back to following; restoring one's own previous settings.
  'POST /api/me/settings/:category/reset',
  'POST /api/members/:userId/follow/:category/resume',
  'POST /api/me/notifications/:notificationId/restore',
  'PUT /api/me/notification-preferences',
]);

/** Requests only a session may send: starting or ending one, browser flows, creating tokens. */
const SESSION_ONLY = new Set([
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/invitations/:token/accept',
  'POST /api/me/crm-connections/:crm/oauth',
  'POST /api/me/api-tokens',
]);

/** Revoking a token: any token may revoke itself (the service checks the rest). */
const READ_WRITES = new Set([
  'DELETE /api/me/api-tokens/:tokenId',
  // Marking one's notifications read.
  'POST /api/me/notifications/:notificationId/read',
  'POST /api/me/notifications/read-all',
]);

export type TokenRequirement = ApiTokenScope | 'session';

export function tokenRequirement(method: string, routeUrl: string): TokenRequirement {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'read';
  const key = `${method} ${routeUrl}`;
  if (SESSION_ONLY.has(key)) return 'session';
  if (READ_WRITES.has(key)) return 'read';
  if (SYNC_WRITES.has(key)) return 'sync';
  return 'admin';
}
