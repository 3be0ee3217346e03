/** SPEC §1: a user's role in their organization. */
export const ROLES = ['primary_admin', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** SPEC §1: `invited` = provisioned, setup not complete; `deactivated` = access off. */
export const USER_STATUSES = ['active', 'invited', 'deactivated'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
