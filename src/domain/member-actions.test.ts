import { describe, expect, it } from 'vitest';
import type { Actor } from '#src/domain/authorization.ts';
import { AppError } from '#src/domain/errors.ts';
import {
  actionsFor,
  authorizeMemberManagement,
  type ManagedUser,
  type MemberActionTarget,
} from '#src/domain/member-actions.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';

const ORG = 'org-1';

function actor(role: Role, status: UserStatus = 'active', id = `actor-${role}`): Actor {
  return { id, organizationId: ORG, role, status };
}

function row(role: Role, status: UserStatus = 'active', id = `row-${role}-${status}`) {
  return { id, role, status } satisfies MemberActionTarget;
}

function managed(role: Role, overrides: Partial<ManagedUser> = {}): ManagedUser {
  return { id: `user-${role}`, organizationId: ORG, role, status: 'active', ...overrides };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('actionsFor: the per-row action menu (SPEC §3, §4)', () => {
  it("the primary admin's row never offers any action, whoever the admin is", () => {
    expect(actionsFor(actor('primary_admin'), row('primary_admin'))).toEqual([]);
    expect(actionsFor(actor('admin'), row('primary_admin'))).toEqual([]);
    // positive control: the same admin on a member's row gets the full menu
    expect(actionsFor(actor('admin'), row('member'))).toEqual([
      'sync_crm',
      'sync_settings',
      'promote_to_admin',
      'deactivate',
      'remove_from_team',
    ]);
  });

  it("the actor's own row offers none", () => {
    const self = actor('admin', 'active', 'me');
    expect(actionsFor(self, { id: 'me', role: 'admin', status: 'active' })).toEqual([]);
    expect(actionsFor(self, { id: 'someone-else', role: 'admin', status: 'active' })).not.toEqual(
      [],
    );
  });

  it('a member or a deactivated admin is offered nothing', () => {
    expect(actionsFor(actor('member'), row('member'))).toEqual([]);
    expect(actionsFor(actor('admin', 'deactivated'), row('member'))).toEqual([]);
    expect(actionsFor(actor('admin', 'invited'), row('member'))).toEqual([]);
    expect(actionsFor(actor('admin', 'active'), row('member')).length).toBeGreaterThan(0);
  });

  it('promote is offered for members, demote for secondary admins', () => {
    expect(actionsFor(actor('admin'), row('member'))).toContain('promote_to_admin');
    expect(actionsFor(actor('admin'), row('member'))).not.toContain('demote_to_member');
    expect(actionsFor(actor('primary_admin'), row('admin'))).toContain('demote_to_member');
    expect(actionsFor(actor('primary_admin'), row('admin'))).not.toContain('promote_to_admin');
  });

  it('deactivate is offered for active and invited users, reactivate for deactivated ones', () => {
    expect(actionsFor(actor('admin'), row('member', 'active'))).toContain('deactivate');
    expect(actionsFor(actor('admin'), row('member', 'invited'))).toContain('deactivate');
    const deactivated = actionsFor(actor('admin'), row('member', 'deactivated'));
    expect(deactivated).toContain('reactivate');
    expect(deactivated).not.toContain('deactivate');
  });

  it('sync actions are offered for active and invited users but not for deactivated ones', () => {
    for (const status of ['active', 'invited'] as const) {
      expect(actionsFor(actor('admin'), row('member', status))).toEqual(
        expect.arrayContaining(['sync_crm', 'sync_settings']),
      );
    }
    expect(actionsFor(actor('admin'), row('member', 'deactivated'))).toEqual([
      'promote_to_admin',
      'reactivate',
      'remove_from_team',
    ]);
  });

  it('remove from team is offered on every non-primary row of another user', () => {
    for (const role of ['admin', 'member'] as const) {
      for (const status of ['active', 'invited', 'deactivated'] as const) {
        expect(actionsFor(actor('admin'), row(role, status))).toContain('remove_from_team');
      }
    }
  });
});

describe('authorizeMemberManagement (SPEC §4, §5)', () => {
  it('an active admin may manage another member or secondary admin', () => {
    expect(authorizeMemberManagement(actor('admin'), managed('member')).id).toBe('user-member');
    expect(authorizeMemberManagement(actor('admin'), managed('admin')).id).toBe('user-admin');
    expect(authorizeMemberManagement(actor('primary_admin'), managed('admin')).id).toBe(
      'user-admin',
    );
  });

  it('a member or an inactive admin is forbidden', () => {
    expect(codeOf(() => authorizeMemberManagement(actor('member'), managed('member')))).toBe(
      'forbidden',
    );
    expect(
      codeOf(() => authorizeMemberManagement(actor('admin', 'deactivated'), managed('member'))),
    ).toBe('forbidden');
  });

  it('a user of another organization or an unknown user is target_not_found', () => {
    expect(
      codeOf(() =>
        authorizeMemberManagement(actor('admin'), managed('member', { organizationId: 'org-2' })),
      ),
    ).toBe('target_not_found');
    expect(codeOf(() => authorizeMemberManagement(actor('admin'), undefined))).toBe(
      'target_not_found',
    );
  });

  it('the primary admin and oneself are forbidden', () => {
    expect(codeOf(() => authorizeMemberManagement(actor('admin'), managed('primary_admin')))).toBe(
      'forbidden',
    );
    expect(
      codeOf(() =>
        authorizeMemberManagement(actor('admin', 'active', 'me'), managed('admin', { id: 'me' })),
      ),
    ).toBe('forbidden');
  });

  it('a non-admin is told forbidden before anything about the target', () => {
    expect(codeOf(() => authorizeMemberManagement(actor('member'), undefined))).toBe('forbidden');
  });
});
