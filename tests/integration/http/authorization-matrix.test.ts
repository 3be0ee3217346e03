import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '#src/db/schema.ts';
import type { ApiTokenScope } from '#src/domain/contracts/api-tokens.contract.ts';
import type { ErrorCode } from '#src/domain/errors.ts';
import { createApiToken } from '#src/services/auth/api-tokens.service.ts';
import { saveCrmConnections } from '#src/services/crm-connections/crm-connection.service.ts';
import { createInvitedUsers } from '#src/services/invitations/invitation.service.ts';
import {
  fingerprint,
  GUARDED_TABLES,
  unclassifiedTables,
} from '#tests/integration/http/support/db-fingerprint.ts';
import {
  describeResponse,
  expectProblem,
  send,
  type HttpRequest,
  type Method,
} from '#tests/integration/http/support/http.ts';
import {
  fillPath,
  registeredRoutes,
  routesUnderTest,
} from '#tests/integration/http/support/route-inventory.ts';
import {
  createWorld,
  freshUser,
  login,
  WORLD_PASSWORD,
  type OrgKey,
  type World,
  type WorldUser,
} from '#tests/integration/http/support/world.ts';
import { loginAs, type Agent } from '#tests/support/test-app.ts';

/**
 * The authorization matrix (SPEC §4–§5): every route × every kind of actor × every kind of
 * object, each cell the status the server must answer. A refusal changes nothing in the
 * database (support/db-fingerprint.ts) and has a positive control: the same request by an actor
 * who may send it succeeds (or, where nobody may — the primary admin, oneself —, the same route
 * on an object that actor may act on). The route list is read from the app itself, so a new route
 * without a row here fails the first test.
 */

type ActorKey = 'anonymous' | 'member' | 'admin' | 'owner' | 'outsiderAdmin';
const ACTORS: readonly ActorKey[] = ['anonymous', 'member', 'admin', 'owner', 'outsiderAdmin'];

/**
 * Objects, relative to the actor (for anonymous: relative to an Acme member).
 * - none: the route names no object (or lists the actor's organization).
 * - own: the actor's own user, settings or team; for revert, a sync the actor ran (a member: one
 *   that targeted them).
 * - colleague / colleagueAdmin: a member / a secondary admin of the actor's organization.
 * - outsider: a member (team, sync) of the other organization.
 * - primaryAdmin: the primary admin of the actor's organization.
 * - mixed: a team of the actor's organization with a user of the other organization.
 * - selfTarget: a sync another admin ran that targeted the actor.
 * - deadLink: an invitation link that does not work (a token never issued: used, revoked and
 *   expired links read the same, accept-invitation.service.ts).
 */
type ObjectKey =
  | 'none'
  | 'own'
  | 'colleague'
  | 'colleagueAdmin'
  | 'outsider'
  | 'primaryAdmin'
  | 'mixed'
  | 'selfTarget'
  | 'deadLink';

/** The status (with the problem code when it differs from the default) or null: not applicable. */
type Cell = number | readonly [number, ErrorCode] | null;

interface ActorContext {
  key: ActorKey;
  /** Undefined for anonymous. */
  agent: Agent | undefined;
  /** The user whose point of view objects are taken from (anonymous: an Acme member). */
  userId: string;
  email: string;
  password: string;
  /** That user's session (anonymous: the member's). */
  self: Agent;
  org: OrgKey;
  isPrimary: boolean;
}

interface Target {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** The organization the object belongs to. */
  org: OrgKey;
  /**
   * Who may send this very request; undefined when nobody may (the control then runs the route
   * on a colleague, as the primary admin of `org`). Ignored for `none` objects: the table says.
   */
  allowed: Agent | undefined;
  check?: (response: LightMyRequestResponse) => void;
}

interface RouteSpec {
  objects: readonly ObjectKey[];
  expect: Record<ActorKey, Cell | Partial<Record<ObjectKey, Cell>>>;
  /** The code of a 404 in this route (default `target_not_found`). */
  notFound?: ErrorCode;
  /** Actors whose role or data a control would change: a new member and secondary admin per row. */
  freshActors?: boolean;
  /** The request ends the session: a new one per row. */
  freshSession?: boolean;
  /**
   * Runs after each cell (its control included), whatever the outcome: puts back what a
   * successful cell changed that the fixed actors depend on.
   */
  afterRow?: () => Promise<void>;
  target(object: ObjectKey, actor: ActorContext): Promise<Target>;
}

let world: World;
const OAUTH_CLIENT = {
  clientId: 'ergo-matrix-hubspot',
  clientSecret: 'matrix-client-secret-01234567',
};
const fixed = {} as Record<Exclude<ActorKey, 'anonymous'>, ActorContext>;

beforeAll(async () => {
  // "Connect HubSpot" configured, so starting it succeeds (the control of its refusals).
  world = await createWorld({ oauthClients: { hubspot: OAUTH_CLIENT } });
  // A member, a secondary admin and the primary admin of Acme; Globex's primary admin.
  const fixedUsers: Record<Exclude<ActorKey, 'anonymous'>, WorldUser> = {
    member: world.people.acme.member,
    admin: world.people.acme.admin,
    owner: world.people.acme.owner,
    outsiderAdmin: world.people.globex.owner,
  };
  for (const [key, user] of Object.entries(fixedUsers) as [keyof typeof fixedUsers, WorldUser][]) {
    const agent = await login(world, user);
    fixed[key] = {
      key,
      agent,
      userId: agent.userId,
      email: user.email,
      password: WORLD_PASSWORD,
      self: agent,
      org: user.org,
      isPrimary: user.role === 'primary_admin',
    };
  }
});
afterAll(async () => {
  await world.close();
});

// --- objects -------------------------------------------------------------------------------------

const other = (org: OrgKey): OrgKey => (org === 'acme' ? 'globex' : 'acme');
const primaryOf = (org: OrgKey): ActorContext =>
  org === 'acme' ? fixed.owner : fixed.outsiderAdmin;
const primaryAgent = (org: OrgKey): Agent => primaryOf(org).self;

async function userObject(
  object: ObjectKey,
  actor: ActorContext,
): Promise<{ userId: string; org: OrgKey; allowed: Agent | undefined }> {
  switch (object) {
    case 'own':
      return {
        userId: actor.userId,
        org: actor.org,
        allowed: actor.isPrimary ? undefined : primaryAgent(actor.org),
      };
    case 'colleague':
    case 'colleagueAdmin': {
      const user = await freshUser(world, actor.org, object === 'colleague' ? 'member' : 'admin');
      return { userId: user.id, org: actor.org, allowed: primaryAgent(actor.org) };
    }
    case 'outsider': {
      const user = await freshUser(world, other(actor.org));
      return { userId: user.id, org: other(actor.org), allowed: primaryAgent(other(actor.org)) };
    }
    case 'primaryAdmin':
      return { userId: world.orgs[actor.org].primaryAdminId, org: actor.org, allowed: undefined };
    default:
      throw new Error(`no user object ${object}`);
  }
}

function userTarget(body?: unknown) {
  return async (object: ObjectKey, actor: ActorContext): Promise<Target> => {
    const user = await userObject(object, actor);
    return {
      params: { userId: user.userId },
      ...(body === undefined ? {} : { body }),
      org: user.org,
      allowed: user.allowed,
    };
  };
}

/** Team + user; `present`: whether the user is put on the team first (DELETE) or taken off (POST). */
function teamMemberTarget(present: boolean) {
  return async (object: ObjectKey, actor: ActorContext): Promise<Target> => {
    const user =
      object === 'mixed'
        ? { ...(await userObject('outsider', actor)), allowed: undefined }
        : await userObject(object, actor);
    const teamOrg = object === 'mixed' ? actor.org : user.org;
    const teamId = world.orgs[teamOrg].spareTeamId;
    if (teamOrg === user.org) {
      await world.database.db
        .deleteFrom('team_members')
        .where('team_id', '=', teamId)
        .where('user_id', '=', user.userId)
        .execute();
      if (present) {
        await world.uow.read.teams.addMembers(world.orgs[teamOrg].id, [
          { teamId, userId: user.userId },
        ]);
      }
    }
    return { params: { teamId, userId: user.userId }, org: teamOrg, allowed: user.allowed };
  };
}

async function teamTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  const spare = (org: OrgKey) => world.orgs[org].spareTeamId;
  let teamId: string;
  let org = actor.org;
  if (object === 'own') {
    const row = await world.database.db
      .selectFrom('team_members')
      .select('team_id')
      .where('user_id', '=', actor.userId)
      .where('team_id', '<>', spare(actor.org))
      .executeTakeFirstOrThrow();
    teamId = row.team_id;
  } else if (object === 'colleague') {
    teamId = spare(actor.org);
  } else if (object === 'outsider') {
    org = other(actor.org);
    const team = world.orgs[org].teamIds.find((id) => id !== spare(org));
    if (!team) throw new Error('no outsider team');
    teamId = team;
  } else {
    throw new Error(`no team object ${object}`);
  }
  return { params: { teamId }, org, allowed: primaryAgent(org) };
}

/** Runs Sync Settings (company details) as `agent` on `userId`; returns the sync id. */
async function syncRun(agent: Agent, userId: string): Promise<string> {
  const response = await send(world.app, agent, {
    method: 'POST',
    url: `/api/members/${userId}/sync-settings`,
    body: { categories: ['company_details'] },
  });
  if (response.statusCode !== 200) throw new Error(`setup sync: ${describeResponse(response)}`);
  const syncId = response.json<{ syncId: string | null }>().syncId;
  if (!syncId) throw new Error('setup sync recorded no sync');
  return syncId;
}

async function secondaryAdminAgent(org: OrgKey): Promise<Agent> {
  return login(world, await freshUser(world, org, 'admin'));
}

async function syncTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  const canRun = actor.key === 'admin' || actor.key === 'owner' || actor.key === 'outsiderAdmin';
  let syncId: string;
  let org = actor.org;
  switch (object) {
    case 'own':
      syncId = canRun
        ? await syncRun(actor.self, (await freshUser(world, actor.org)).id)
        : await syncRun(primaryAgent(actor.org), actor.userId);
      break;
    case 'colleague': {
      const runner = actor.isPrimary
        ? await secondaryAdminAgent(actor.org)
        : primaryAgent(actor.org);
      syncId = await syncRun(runner, (await freshUser(world, actor.org)).id);
      break;
    }
    case 'outsider':
      org = other(actor.org);
      syncId = await syncRun(primaryAgent(org), (await freshUser(world, org)).id);
      break;
    case 'selfTarget':
      syncId = await syncRun(primaryAgent(actor.org), actor.userId);
      break;
    default:
      throw new Error(`no sync object ${object}`);
  }
  return { params: { syncId }, org, allowed: primaryAgent(org) };
}

async function historyTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  const base = { org: actor.org, allowed: primaryAgent(actor.org) };
  switch (object) {
    case 'none':
      return base;
    case 'own':
      return { ...base, query: `?memberId=${actor.userId}` };
    case 'colleague': {
      const user = await freshUser(world, actor.org);
      await syncRun(primaryAgent(actor.org), user.id);
      return {
        ...base,
        query: `?memberId=${user.id}`,
        check: (response) => {
          if (response.statusCode !== 200) return;
          const items = response.json<{ items: { targetId: string }[] }>().items;
          expect(items.map((i) => i.targetId)).toEqual([user.id]);
        },
      };
    }
    case 'outsider': {
      // Another organization's member is invisible: the answer is the one for an unknown id.
      const user = await freshUser(world, other(actor.org));
      await syncRun(primaryAgent(other(actor.org)), user.id);
      return {
        ...base,
        query: `?memberId=${user.id}`,
        check: (response) => {
          if (response.statusCode !== 200) return;
          expect(response.json()).toEqual({ items: [], nextCursor: null });
        },
      };
    }
    default:
      throw new Error(`no history object ${object}`);
  }
}

/** The actor's own dashboard (me routes): only the actor (or, for anonymous, the member) may. */
function ownTarget(extra: (actor: ActorContext) => Promise<Partial<Target>> | Partial<Target>) {
  return async (object: ObjectKey, actor: ActorContext): Promise<Target> => {
    if (object !== 'own') throw new Error(`no own object ${object}`);
    return { org: actor.org, allowed: actor.self, ...(await extra(actor)) };
  };
}

/** Team policies (issue 16): a team of the actor's organization, or of the other one. */
function teamPolicyTarget(extra: Partial<Target> = {}) {
  return async (object: ObjectKey, actor: ActorContext): Promise<Target> => ({
    ...(await teamTarget(object, actor)),
    ...extra,
    params: { ...(await teamTarget(object, actor)).params, ...extra.params },
  });
}

/**
 * A team of `org` whose Advanced settings follow its primary admin, with `userId` on it: what
 * "Resume" and "Reset to the admin's settings" need to succeed (their controls).
 */
async function followedByTeam(userId: string, org: OrgKey): Promise<void> {
  const orgId = world.orgs[org].id;
  const team = await world.database.db
    .insertInto('teams')
    .values({ organization_id: orgId, name: `Matrix follow ${randomUUID()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  await world.database.db
    .insertInto('team_members')
    .values({ team_id: team.id, user_id: userId, organization_id: orgId })
    .execute();
  await world.database.db
    .insertInto('team_category_policies')
    .values({
      team_id: team.id,
      organization_id: orgId,
      category: 'advanced_settings',
      mode: 'follow',
      source_user_id: world.orgs[org].primaryAdminId,
    })
    .execute();
  // Paused (as after a revert), so that Resume has something to clear.
  await world.database.db
    .insertInto('member_category_states')
    .values({ user_id: userId, category: 'advanced_settings', state: 'paused' })
    .onConflict((oc) => oc.columns(['user_id', 'category']).doNothing())
    .execute();
}

/**
 * A notification of `userId`'s: a Sync Settings of Company details by their primary admin that
 * changed their dashboard (so it can be restored), or, for a primary admin (whom nobody syncs
 * to), a bulk run's failure notice.
 */
async function notificationOf(userId: string, org: OrgKey): Promise<string> {
  if (userId === world.orgs[org].primaryAdminId) {
    const row = await world.database.db
      .insertInto('notifications')
      .values({ organization_id: world.orgs[org].id, user_id: userId, kind: 'bulk_failed' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }
  await sql`update dashboard_settings set document = jsonb_set(document, '{companyName}', to_jsonb(${`Matrix ${randomUUID()}`}::text))
             where user_id = ${userId} and category = 'company_details'`.execute(world.database.db);
  const synced = await send(world.app, primaryAgent(org), {
    method: 'POST',
    url: `/api/members/${userId}/sync-settings`,
    body: { categories: ['company_details'] },
  });
  expect(synced.statusCode, describeResponse(synced)).toBe(200);
  const row = await world.database.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A notification: one's own (allowed: oneself), a colleague's or an outsider's (allowed: them). */
async function notificationTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  if (object === 'own') {
    return {
      params: { notificationId: await notificationOf(actor.userId, actor.org) },
      org: actor.org,
      allowed: actor.self,
    };
  }
  const org = object === 'outsider' ? other(actor.org) : actor.org;
  const user = await freshUser(world, org);
  return {
    params: { notificationId: await notificationOf(user.id, org) },
    org,
    allowed: await login(world, user),
  };
}

async function noTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  if (object !== 'none') throw new Error(`no object ${object} here`);
  return { org: actor.org, allowed: undefined };
}

/**
 * The audit log routes: an admin reads their own organization's chain, never the other's (whose
 * primary admin acts in that organization's entries, so their id would show).
 */
async function auditTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  return {
    ...(await noTarget(object, actor)),
    check: (response) => {
      if (response.statusCode !== 200) return;
      expect(response.body).not.toContain(world.orgs[other(actor.org)].primaryAdminId);
    },
  };
}

async function dashboardVersion(userId: string): Promise<number> {
  const row = await world.database.db
    .selectFrom('dashboards')
    .select('version')
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.version;
}

let counter = 0;

/** Waits until the bulk runs the last request started have run (the in-process runner). */
async function settle(): Promise<void> {
  await world.testApp.queue?.idle();
}

/**
 * The bulk tables are not among support/db-fingerprint.ts's GUARDED_TABLES (yet): fingerprinted
 * here as well, so a refused bulk request is seen to create or change no run.
 */
const BULK_TABLES = (['bulk_runs', 'bulk_run_members'] as const).filter(
  (table) => !(GUARDED_TABLES as readonly string[]).includes(table),
);

async function databaseFingerprint(db: Kysely<DB>): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { ...(await fingerprint(db)) };
  for (const table of BULK_TABLES) {
    const { rows } = await sql<{ rows: number; digest: string }>`
      select count(*)::int as rows,
        md5(coalesce(string_agg(t::text, E'\n' order by t::text), '')) as digest
      from ${sql.table(table)} t`.execute(db);
    result[table] = rows[0];
  }
  return result;
}

/** A new team of `org` with one new member on it: a team run targets just that member. */
async function freshTeam(org: OrgKey): Promise<string> {
  counter += 1;
  const user = await freshUser(world, org);
  const orgId = world.orgs[org].id;
  const [team] = await world.uow.read.teams.insertMany(orgId, [`Bulk team ${counter}`]);
  if (!team) throw new Error('team not inserted');
  await world.uow.read.teams.addMembers(orgId, [{ teamId: team.id, userId: user.id }]);
  return team.id;
}

const bulkBody = (selection: { teamId: string } | { memberIds: string[] }) => ({
  action: 'sync_settings',
  categories: ['company_details'],
  ...selection,
});

/**
 * POST /api/bulk-syncs: a team of the actor's organization (colleague), a team of the other
 * organization (outsider), a selection naming the other organization's user (mixed: the run is
 * accepted and that member fails `target_not_found` when its batch runs, see bulk-api.test.ts).
 */
async function bulkStartTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  switch (object) {
    case 'colleague':
      return {
        body: bulkBody({ teamId: await freshTeam(actor.org) }),
        org: actor.org,
        allowed: primaryAgent(actor.org),
      };
    case 'outsider':
      return {
        body: bulkBody({ teamId: await freshTeam(other(actor.org)) }),
        org: other(actor.org),
        allowed: primaryAgent(other(actor.org)),
      };
    case 'mixed': {
      const outsider = await freshUser(world, other(actor.org));
      return {
        body: bulkBody({ memberIds: [outsider.id] }),
        org: actor.org,
        allowed: primaryAgent(actor.org),
      };
    }
    default:
      throw new Error(`no bulk start object ${object}`);
  }
}

/**
 * A bulk run of one new member, by `starter`: `applied` (finished, the member changed),
 * `failed` (finished, the member — an id of nobody — failed), `pending` (created with no batch
 * started yet, as while the workers are busy: it can be cancelled).
 */
type RunKind = 'applied' | 'failed' | 'pending';

async function bulkRun(kind: RunKind, starter: Agent, org: OrgKey): Promise<string> {
  const memberId = kind === 'failed' ? randomUUID() : (await freshUser(world, org)).id;
  if (kind === 'pending') {
    const run = await world.uow.transaction((repos) =>
      repos.bulkRuns.create({
        organizationId: world.orgs[org].id,
        actorId: starter.userId,
        action: 'sync_settings',
        categories: ['company_details'],
        dryRun: false,
        memberIds: [memberId],
        batchSize: 100,
        teamId: null,
        retryOf: null,
        requestId: null,
      }),
    );
    return run.id;
  }
  const response = await send(world.app, starter, {
    method: 'POST',
    url: '/api/bulk-syncs',
    body: bulkBody({ memberIds: [memberId] }),
  });
  if (response.statusCode !== 202) throw new Error(`setup bulk run: ${describeResponse(response)}`);
  await settle();
  return response.json<{ id: string }>().id;
}

/** A run the actor started (a member: one the primary admin started), a colleague's, another organization's. */
function bulkRunTarget(kind: RunKind) {
  return async (object: ObjectKey, actor: ActorContext): Promise<Target> => {
    const canRun = actor.key === 'admin' || actor.key === 'owner' || actor.key === 'outsiderAdmin';
    let starter: Agent;
    let org = actor.org;
    switch (object) {
      case 'own':
        starter = canRun ? actor.self : primaryAgent(actor.org);
        break;
      case 'colleague':
        starter = actor.isPrimary ? await secondaryAdminAgent(actor.org) : primaryAgent(actor.org);
        break;
      case 'outsider':
        org = other(actor.org);
        starter = primaryAgent(org);
        break;
      default:
        throw new Error(`no bulk run object ${object}`);
    }
    return { params: { id: await bulkRun(kind, starter, org) }, org, allowed: primaryAgent(org) };
  };
}

/** The routes naming a run: readable and actionable by any admin of its organization only. */
function bulkRunSpec(kind: RunKind, ok: 200 | 202): RouteSpec {
  return {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: ok, colleague: ok, outsider: 404 },
      owner:         { own: ok, colleague: ok, outsider: 404 },
      outsiderAdmin: { own: ok, colleague: ok, outsider: 404 },
    },
    target: bulkRunTarget(kind),
  };
}

// --- provisioning (issue 13) ---------------------------------------------------------------------

/** A new team of `org` with nobody on it, or with `memberId` on it. */
async function newTeam(org: OrgKey, memberId?: string): Promise<string> {
  counter += 1;
  const orgId = world.orgs[org].id;
  const [team] = await world.uow.read.teams.insertMany(orgId, [`Matrix team ${counter}`]);
  if (!team) throw new Error('team not inserted');
  if (memberId)
    await world.uow.read.teams.addMembers(orgId, [{ teamId: team.id, userId: memberId }]);
  return team.id;
}

/** GET /api/members: the whole organization (none), or `team=<id>` of a team (see teamTarget). */
async function membersListTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  if (object === 'none') {
    return {
      org: actor.org,
      allowed: primaryAgent(actor.org),
      check: (response) => {
        if (response.statusCode !== 200) return;
        const ids = response.json<{ items: { id: string }[] }>().items.map((i) => i.id);
        expect(ids.length).toBeGreaterThan(0);
      },
    };
  }
  const team = await teamTarget(object, actor);
  return { ...team, params: {}, query: `?team=${team.params?.teamId ?? ''}` };
}

/**
 * PATCH and DELETE /api/teams/:teamId: a new team per cell (renaming or deleting the world's
 * teams would change other rows' objects): one the actor is on (own), one of the actor's
 * organization (colleague), one of the other organization (outsider).
 */
function teamWriteTarget(body?: () => unknown) {
  return async (object: ObjectKey, actor: ActorContext): Promise<Target> => {
    const org = object === 'outsider' ? other(actor.org) : actor.org;
    if (!['own', 'colleague', 'outsider'].includes(object)) throw new Error(`no team ${object}`);
    const teamId = await newTeam(org, object === 'own' ? actor.userId : undefined);
    return {
      params: { teamId },
      ...(body ? { body: body() } : {}),
      org,
      allowed: primaryAgent(org),
    };
  };
}

/**
 * Puts each organization's primary admin back (POST /api/organization/primary-admin by whoever
 * holds the role now, to the world's one). The world has one primary admin per organization,
 * whose session every row's controls use (primaryAgent), so it cannot be fresh per cell: a
 * successful transfer (a cell, or a refusal's control) is undone after the cell instead.
 */
async function restorePrimaryAdmins(): Promise<void> {
  for (const org of ['acme', 'globex'] as const) {
    const current = await world.database.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('organization_id', '=', world.orgs[org].id)
      .where('role', '=', 'primary_admin')
      .executeTakeFirstOrThrow();
    if (current.id === world.orgs[org].primaryAdminId) continue;
    const response = await send(world.app, await login(world, current), {
      method: 'POST',
      url: '/api/organization/primary-admin',
      body: { userId: world.orgs[org].primaryAdminId },
    });
    if (response.statusCode !== 200) {
      throw new Error(`restoring ${org}'s primary admin: ${describeResponse(response)}`);
    }
  }
}

/**
 * The transfer's target: nobody but the primary admin may hand the role over, so a refusal's
 * control is always the primary admin handing it to a colleague (then restorePrimaryAdmins).
 */
async function transferTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  const user = await userObject(object, actor);
  return { body: { userId: user.userId }, org: user.org, allowed: undefined };
}

/** An invited user of `org` (no password, no dashboard) and the token of their open link. */
async function invitedUser(
  org: OrgKey,
  role: 'member' | 'admin' = 'member',
): Promise<{ userId: string; email: string; token: string }> {
  counter += 1;
  const email = `matrix-invited-${counter}@${org}.test`;
  const [created] = await world.uow.transaction((repos) =>
    createInvitedUsers(repos, {
      organizationId: world.orgs[org].id,
      invitedBy: world.orgs[org].primaryAdminId,
      users: [{ email, name: `Matrix Invited ${counter}`, role, teamIds: [] }],
    }),
  );
  if (!created) throw new Error('invitation not created');
  return { userId: created.userId, email, token: created.token };
}

/**
 * POST /api/invitations: nobody's email, on no team (none), on a team of the actor's
 * organization (colleague), on a team of the other organization (outsider: not_found).
 */
async function inviteTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  counter += 1;
  const body = (teamIds: string[]) => ({
    email: `matrix-invitee-${counter}@example.test`,
    name: `Matrix Invitee ${counter}`,
    role: 'member',
    teamIds,
  });
  switch (object) {
    case 'none':
      return { body: body([]), org: actor.org, allowed: undefined };
    case 'colleague':
      return {
        body: body([await newTeam(actor.org)]),
        org: actor.org,
        allowed: primaryAgent(actor.org),
      };
    case 'outsider': {
      const org = other(actor.org);
      return { body: body([await newTeam(org)]), org, allowed: primaryAgent(org) };
    }
    default:
      throw new Error(`no invite object ${object}`);
  }
}

/**
 * Resend and revoke: an invited member / admin of the actor's organization (colleague /
 * colleagueAdmin), one of the other organization (outsider). The actor's own row and the
 * primary admin's are active, which nobody can re-invite: their control is the primary admin
 * on a colleague.
 */
async function invitationTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  switch (object) {
    case 'own':
      return { params: { userId: actor.userId }, org: actor.org, allowed: undefined };
    case 'primaryAdmin':
      return {
        params: { userId: world.orgs[actor.org].primaryAdminId },
        org: actor.org,
        allowed: undefined,
      };
    case 'colleague':
    case 'colleagueAdmin': {
      const user = await invitedUser(actor.org, object === 'colleague' ? 'member' : 'admin');
      return { params: { userId: user.userId }, org: actor.org, allowed: primaryAgent(actor.org) };
    }
    case 'outsider': {
      const org = other(actor.org);
      const user = await invitedUser(org);
      return { params: { userId: user.userId }, org, allowed: primaryAgent(org) };
    }
    default:
      throw new Error(`no invitation object ${object}`);
  }
}

/** A password the setup rules accept (12+ characters, no email, organization or common word). */
const INVITEE_PASSWORD = 'violet kettle under nine lanterns';

/**
 * An invitation link (public: the token is the proof, whoever sends it): a live link of the
 * actor's organization (colleague) or of the other one (outsider), or a dead one (deadLink:
 * 410 invite_expired, whose control is a live link).
 */
function invitationLinkTarget(accept: boolean) {
  return async (object: ObjectKey, actor: ActorContext): Promise<Target> => {
    const body = accept ? { body: { password: INVITEE_PASSWORD } } : {};
    if (object === 'deadLink') {
      return {
        params: { token: randomBytes(32).toString('base64url') },
        ...body,
        org: actor.org,
        allowed: undefined,
      };
    }
    if (object !== 'colleague' && object !== 'outsider') throw new Error(`no link ${object}`);
    const org = object === 'outsider' ? other(actor.org) : actor.org;
    const user = await invitedUser(org);
    return {
      params: { token: user.token },
      ...body,
      org,
      allowed: undefined,
      check: (response) => {
        if (response.statusCode !== 200) return;
        if (accept) {
          expect(response.json<{ user: { id: string } }>().user.id).toBe(user.userId);
          expect(String(response.headers['set-cookie'])).toContain('ergo_session=');
        } else {
          expect(response.json()).toMatchObject({
            email: user.email,
            organizationName: org === 'acme' ? 'Acme' : 'Globex',
          });
        }
      },
    };
  };
}

/** Creates a SCIM token as `agent` (POST /api/scim-tokens); returns its id. */
async function scimToken(agent: Agent): Promise<string> {
  const response = await send(world.app, agent, {
    method: 'POST',
    url: '/api/scim-tokens',
    body: { name: 'Matrix IdP' },
  });
  if (response.statusCode !== 201)
    throw new Error(`setup SCIM token: ${describeResponse(response)}`);
  return response.json<{ id: string }>().id;
}

/**
 * DELETE /api/scim-tokens/:id: a token the actor created (a member: one the primary admin
 * created), one another admin of the organization created, one of the other organization.
 */
async function scimTokenTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  const canCreate = actor.key === 'admin' || actor.key === 'owner' || actor.key === 'outsiderAdmin';
  let org = actor.org;
  let creator: Agent;
  switch (object) {
    case 'own':
      creator = canCreate ? actor.self : primaryAgent(actor.org);
      break;
    case 'colleague':
      creator = actor.isPrimary ? await secondaryAdminAgent(actor.org) : primaryAgent(actor.org);
      break;
    case 'outsider':
      org = other(actor.org);
      creator = primaryAgent(org);
      break;
    default:
      throw new Error(`no SCIM token object ${object}`);
  }
  return { params: { id: await scimToken(creator) }, org, allowed: primaryAgent(org) };
}

/** GET /api/scim-tokens: a token in each organization; only the actor's own one is listed. */
async function scimTokenListTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  const mine = await scimToken(primaryAgent(actor.org));
  const theirs = await scimToken(primaryAgent(other(actor.org)));
  return {
    ...(await noTarget(object, actor)),
    check: (response) => {
      if (response.statusCode !== 200) return;
      const ids = response.json<{ id: string }[]>().map((t) => t.id);
      expect(ids).toContain(mine);
      expect(ids).not.toContain(theirs);
      expect(response.body).not.toContain('ergo_scim_');
    },
  };
}

/** A personal API token of `userId`, made through the service (as POST /api/me/api-tokens does). */
async function apiTokenOf(
  userId: string,
  scopes: ApiTokenScope[] = ['read'],
): Promise<{ id: string; token: string }> {
  const user = await world.uow.read.users.findById(userId);
  if (!user) throw new Error(`no user ${userId}`);
  const created = await createApiToken(
    { uow: world.uow },
    {
      user: {
        id: user.id,
        organizationId: user.organization_id,
        email: user.email,
        name: user.name,
        role: user.role,
        status: user.status,
      },
    },
    { name: 'matrix', scopes, expiresInDays: 1 },
  );
  return { id: created.apiToken.id, token: created.token };
}

/**
 * DELETE /api/me/api-tokens/:tokenId: one's own token (204); a colleague's or an outsider's
 * reads as not found (tokens are personal: an admin cannot revoke a member's either).
 */
async function apiTokenTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  switch (object) {
    case 'own':
      return {
        params: { tokenId: (await apiTokenOf(actor.userId)).id },
        org: actor.org,
        allowed: actor.self,
      };
    case 'colleague': {
      const colleague = actor.key === 'member' ? fixed.admin : fixed.member;
      return {
        params: { tokenId: (await apiTokenOf(colleague.userId)).id },
        org: actor.org,
        allowed: colleague.self,
      };
    }
    case 'outsider': {
      const outsider = primaryOf(other(actor.org));
      return {
        params: { tokenId: (await apiTokenOf(outsider.userId)).id },
        org: other(actor.org),
        allowed: outsider.self,
      };
    }
    default:
      throw new Error(`no API token object ${object}`);
  }
}

/** GET /api/me/api-tokens: one's own tokens only, never the tokens themselves. */
async function apiTokenListTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  const mine = await apiTokenOf(actor.userId);
  const colleague = await apiTokenOf((actor.key === 'member' ? fixed.admin : fixed.member).userId);
  return {
    ...(await noTarget(object, actor)),
    check: (response) => {
      if (response.statusCode !== 200) return;
      const ids = response.json<{ items: { id: string }[] }>().items.map((t) => t.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(colleague.id);
      expect(response.body).not.toContain('ergo_pat_');
    },
  };
}

/** GET /api/dev/outbox (the world's mailer is the outbox, not demo mode): own organization's mail. */
async function outboxTarget(object: ObjectKey, actor: ActorContext): Promise<Target> {
  counter += 1;
  const to = (org: OrgKey) => `matrix-outbox-${counter}@${org}.test`;
  for (const org of ['acme', 'globex'] as const) {
    await world.uow.read.mailOutbox.insert({
      organizationId: world.orgs[org].id,
      to: to(org),
      subject: 'Matrix mail',
      text: 'Matrix mail',
      html: null,
    });
  }
  return {
    ...(await noTarget(object, actor)),
    check: (response) => {
      if (response.statusCode !== 200) return;
      const messages = response.json<{ messages: { to: string; organizationId: string }[] }>()
        .messages;
      expect(messages.map((m) => m.to)).toContain(to(actor.org));
      expect(messages.map((m) => m.to)).not.toContain(to(other(actor.org)));
      expect(new Set(messages.map((m) => m.organizationId))).toEqual(
        new Set([world.orgs[actor.org].id]),
      );
    },
  };
}

// --- the table -----------------------------------------------------------------------------------

const USER_OBJECTS = ['own', 'colleague', 'colleagueAdmin', 'outsider', 'primaryAdmin'] as const;
const TEAM_MEMBER_OBJECTS = [...USER_OBJECTS, 'mixed'] as const;

/** Sync CRM, its owner-property step and Sync Settings share their rules (SPEC §3–§5). */
function syncToMemberSpec(body?: unknown): RouteSpec {
  return {
    objects: USER_OBJECTS,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
      owner:         { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
      outsiderAdmin: { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
    },
    target: userTarget(body),
  };
}

const MATRIX: Record<string, RouteSpec> = {
  'GET /api/health': {
    objects: ['none'],
    expect: { anonymous: 200, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: noTarget,
  },
  'GET /api/health/live': {
    objects: ['none'],
    expect: { anonymous: 200, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: noTarget,
  },
  'GET /api/health/ready': {
    objects: ['none'],
    expect: { anonymous: 200, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: noTarget,
  },
  'POST /api/auth/login': {
    objects: ['none'],
    expect: { anonymous: 200, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: async (object, actor) => ({
      ...(await noTarget(object, actor)),
      body: { email: actor.email, password: actor.password },
    }),
  },
  'POST /api/auth/logout': {
    objects: ['none'],
    // Anonymous too: there is no session to end, and a client whose session expired may log out.
    expect: { anonymous: 204, member: 204, admin: 204, owner: 204, outsiderAdmin: 204 },
    freshSession: true,
    target: noTarget,
  },
  'GET /api/me': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget((actor) => ({
      check: (response) => {
        if (response.statusCode === 200)
          expect(response.json<{ user: { id: string } }>().user.id).toBe(actor.userId);
      },
    })),
  },
  'GET /api/sync/categories': {
    objects: ['none'],
    // SPEC §4 gives members their own dashboard only; the category list is static metadata.
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: noTarget,
  },
  'GET /api/me/settings': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({})),
  },
  'GET /api/me/settings/:category': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({ params: { category: 'company_details' } })),
  },
  'PUT /api/me/settings/:category': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(async (actor) => {
      counter += 1;
      return {
        params: { category: 'company_details' },
        body: {
          value: { companyName: `Matrix ${counter}`, industry: 'Matrix' },
          dashboardVersion: await dashboardVersion(actor.userId),
        },
      };
    }),
  },
  'GET /api/me/crm-connections': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({})),
  },
  'PUT /api/me/crm-connections/:crm': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({
      params: { crm: 'attio' },
      body: { secrets: { accessToken: 'attio-matrix-token-0001' }, instance: {} },
    })),
  },
  // "Connect <CRM>" and "Test connection" (issue 12): one's own connections only.
  'GET /api/me/crm-connections/connect-options': {
    objects: ['none'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: noTarget,
  },
  'POST /api/me/crm-connections/:crm/oauth': {
    objects: ['own'],
    // Starting stores a pending state for the actor's session (an allowed write).
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({
      params: { crm: 'hubspot' },
      body: {},
      check: (response) => {
        if (response.statusCode !== 200) return;
        const url = new URL(response.json<{ authorizationUrl: string }>().authorizationUrl);
        expect(url.searchParams.get('client_id')).toBe(OAUTH_CLIENT.clientId);
        expect(response.body).not.toContain(OAUTH_CLIENT.clientSecret);
      },
    })),
  },
  'POST /api/me/crm-connections/:crm/test': {
    objects: ['own'],
    // The key is not one the emulator knows: reconnect_needed, kept as the connection's health.
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(async (actor) => {
      await world.uow.transaction((repos) =>
        saveCrmConnections(repos, world.testApp.keyring, actor.userId, [
          { crm: 'attio', secrets: { accessToken: 'attio-matrix-token-0003' }, instance: {} },
        ]),
      );
      return {
        params: { crm: 'attio' },
        check: (response) => {
          if (response.statusCode !== 200) return;
          expect(response.json()).toMatchObject({ crm: 'attio', via: 'key' });
          expect(response.body).not.toContain('attio-matrix-token-0003');
        },
      };
    }),
  },
  'DELETE /api/me/crm-connections/:crm': {
    objects: ['own'],
    expect: { anonymous: 401, member: 204, admin: 204, owner: 204, outsiderAdmin: 204 },
    target: ownTarget(async (actor) => {
      await world.uow.transaction((repos) =>
        saveCrmConnections(repos, world.testApp.keyring, actor.userId, [
          { crm: 'attio', secrets: { accessToken: 'attio-matrix-token-0002' }, instance: {} },
        ]),
      );
      return { params: { crm: 'attio' } };
    }),
  },
  // Follow policies (issue 16): admins set a team's; Resume is an admin's, Reset a member's own.
  'GET /api/teams/:teamId/policies': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 200, colleague: 200, outsider: 404 },
      owner:         { own: 200, colleague: 200, outsider: 404 },
      outsiderAdmin: { own: 200, colleague: 200, outsider: 404 },
    },
    target: teamTarget,
  },
  'PUT /api/teams/:teamId/policies/:category': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 200, colleague: 200, outsider: 404 },
      owner:         { own: 200, colleague: 200, outsider: 404 },
      outsiderAdmin: { own: 200, colleague: 200, outsider: 404 },
    },
    target: teamPolicyTarget({ params: { category: 'meeting_titles' }, body: { mode: 'manual' } }),
  },
  'POST /api/members/:userId/follow/:category/resume': {
    objects: USER_OBJECTS,
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 202, colleague: 202, colleagueAdmin: 202, outsider: 404, primaryAdmin: 202 },
      owner:         { own: 202, colleague: 202, colleagueAdmin: 202, outsider: 404, primaryAdmin: 202 },
      outsiderAdmin: { own: 202, colleague: 202, colleagueAdmin: 202, outsider: 404, primaryAdmin: 202 },
    },
    target: async (object, actor) => {
      const user = await userObject(object, actor);
      await followedByTeam(user.userId, user.org);
      return {
        params: { userId: user.userId, category: 'advanced_settings' },
        org: user.org,
        allowed: primaryAgent(user.org),
      };
    },
  },
  'POST /api/me/settings/:category/reset': {
    objects: ['own'],
    expect: { anonymous: 401, member: 202, admin: 202, owner: 202, outsiderAdmin: 202 },
    target: ownTarget(async (actor) => {
      await followedByTeam(actor.userId, actor.org);
      return { params: { category: 'advanced_settings' } };
    }),
  },
  // Notifications (issue 16): one's own only; another user's is not found.
  'GET /api/me/notifications': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({})),
  },
  'GET /api/me/notifications/unread-count': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({})),
  },
  'POST /api/me/notifications/read-all': {
    objects: ['own'],
    expect: { anonymous: 401, member: 204, admin: 204, owner: 204, outsiderAdmin: 204 },
    target: ownTarget(async (actor) => {
      await notificationOf(actor.userId, actor.org);
      return {};
    }),
  },
  'POST /api/me/notifications/:notificationId/read': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member:        { own: 204, colleague: 404, outsider: 404 },
      admin:         { own: 204, colleague: 404, outsider: 404 },
      owner:         { own: 204, colleague: 404, outsider: 404 },
      outsiderAdmin: { own: 204, colleague: 404, outsider: 404 },
    },
    target: notificationTarget,
  },
  'POST /api/me/notifications/:notificationId/restore': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // A primary admin (the owner, and the other organization's) has no restorable change of
    // their own: nobody syncs to them.
    // prettier-ignore
    expect: {
      anonymous: 401,
      member:        { own: 200, colleague: 404, outsider: 404 },
      admin:         { own: 200, colleague: 404, outsider: 404 },
      owner:         { own: null, colleague: 404, outsider: 404 },
      outsiderAdmin: { own: null, colleague: 404, outsider: 404 },
    },
    target: notificationTarget,
  },
  'GET /api/me/notification-preferences': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({})),
  },
  'PUT /api/me/notification-preferences': {
    objects: ['own'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: ownTarget(() => ({ body: { emailDigest: true } })),
  },
  'GET /api/me/notifications/:notificationId/changes': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // A primary admin has no change of their own to review (nobody syncs to them).
    // prettier-ignore
    expect: {
      anonymous: 401,
      member:        { own: 200, colleague: 404, outsider: 404 },
      admin:         { own: 200, colleague: 404, outsider: 404 },
      owner:         { own: null, colleague: 404, outsider: 404 },
      outsiderAdmin: { own: null, colleague: 404, outsider: 404 },
    },
    target: notificationTarget,
  },
  'GET /api/teams': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: noTarget,
  },
  'GET /api/teams/:teamId/members': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 200, colleague: 200, outsider: 404 },
      owner:         { own: 200, colleague: 200, outsider: 404 },
      outsiderAdmin: { own: 200, colleague: 200, outsider: 404 },
    },
    target: teamTarget,
  },
  'POST /api/teams/:teamId/members/:userId': {
    objects: TEAM_MEMBER_OBJECTS,
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403, mixed: [404, 'target_not_found'] },
      owner:         { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403, mixed: [404, 'target_not_found'] },
      outsiderAdmin: { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403, mixed: [404, 'target_not_found'] },
    },
    target: teamMemberTarget(false),
  },
  'DELETE /api/teams/:teamId/members/:userId': {
    objects: TEAM_MEMBER_OBJECTS,
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403, mixed: [404, 'target_not_found'] },
      owner:         { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403, mixed: [404, 'target_not_found'] },
      outsiderAdmin: { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403, mixed: [404, 'target_not_found'] },
    },
    target: teamMemberTarget(true),
  },
  'PATCH /api/members/:userId': {
    objects: USER_OBJECTS,
    freshActors: true,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
      owner:         { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
      outsiderAdmin: { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
    },
    target: userTarget({ status: 'deactivated' }),
  },
  'POST /api/members/:userId/sync-crm': syncToMemberSpec(),
  'POST /api/members/:userId/sync-crm/owner-properties': syncToMemberSpec(),
  // Read-only, but asked before a run and refused as the run is.
  'GET /api/members/:userId/sync-crm/preview': syncToMemberSpec(),
  'POST /api/members/:userId/sync-settings': syncToMemberSpec({
    categories: ['company_details', 'task_settings'],
  }),
  // Drift is read-only: an admin may read any member's of their organization, the primary
  // admin's and their own (empty) included; another organization's user is not found.
  'GET /api/members/:userId/drift': {
    objects: USER_OBJECTS,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 200, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 200 },
      owner:         { own: 200, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 200 },
      outsiderAdmin: { own: 200, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 200 },
    },
    target: userTarget(),
  },
  'GET /api/syncs': {
    objects: ['none', 'own', 'colleague', 'outsider'],
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { none: 200, own: 200, colleague: 200, outsider: 200 },
      owner:         { none: 200, own: 200, colleague: 200, outsider: 200 },
      outsiderAdmin: { none: 200, own: 200, colleague: 200, outsider: 200 },
    },
    target: historyTarget,
  },
  // The history's CSV export: admins, their own organization's syncs only.
  'GET /api/syncs/export': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: auditTarget,
  },
  'POST /api/syncs/:syncId/revert': {
    objects: ['own', 'colleague', 'outsider', 'selfTarget'],
    notFound: 'not_found',
    freshActors: true,
    // selfTarget: a primary admin is never a sync target; for a member, `own` is that case.
    // prettier-ignore
    expect: {
      anonymous:     { own: 401, colleague: 401, outsider: 401, selfTarget: null },
      member:        { own: 403, colleague: 403, outsider: 403, selfTarget: null },
      admin:         { own: 200, colleague: 200, outsider: 404, selfTarget: 403 },
      owner:         { own: 200, colleague: 200, outsider: 404, selfTarget: null },
      outsiderAdmin: { own: 200, colleague: 200, outsider: 404, selfTarget: null },
    },
    target: syncTarget,
  },
  // Bulk runs (issue 11): started, read, cancelled, retried and reverted by admins only.
  'POST /api/bulk-syncs': {
    objects: ['colleague', 'outsider', 'mixed'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { colleague: 202, outsider: 404, mixed: 202 },
      owner:         { colleague: 202, outsider: 404, mixed: 202 },
      outsiderAdmin: { colleague: 202, outsider: 404, mixed: 202 },
    },
    target: bulkStartTarget,
  },
  'GET /api/bulk-syncs': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: noTarget,
  },
  'GET /api/bulk-syncs/:id': bulkRunSpec('applied', 200),
  // A finished run: the stream sends its progress and `done`, then ends.
  'GET /api/bulk-syncs/:id/events': bulkRunSpec('applied', 200),
  'POST /api/bulk-syncs/:id/cancel': bulkRunSpec('pending', 200),
  'POST /api/bulk-syncs/:id/retry': bulkRunSpec('failed', 202),
  'POST /api/bulk-syncs/:id/revert': bulkRunSpec('applied', 202), // Provisioning (issue 13): All members, teams, the primary admin role, invitations, SCIM tokens.
  'GET /api/members': {
    objects: ['none', 'own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // none: the whole organization; the others: `team=<id>` (another organization's: not found).
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { none: 200, own: 200, colleague: 200, outsider: 404 },
      owner:         { none: 200, own: 200, colleague: 200, outsider: 404 },
      outsiderAdmin: { none: 200, own: 200, colleague: 200, outsider: 404 },
    },
    target: membersListTarget,
  },
  'POST /api/teams': {
    objects: ['none'],
    // Each in the actor's organization; a new name per cell (a taken one is 409).
    expect: { anonymous: 401, member: 403, admin: 201, owner: 201, outsiderAdmin: 201 },
    target: async (object, actor) => {
      counter += 1;
      const name = `Partners ${counter}`;
      return {
        ...(await noTarget(object, actor)),
        body: { name },
        check: (response) => {
          if (response.statusCode === 201)
            expect(response.json()).toMatchObject({ name, memberCount: 0 });
        },
      };
    },
  },
  'PATCH /api/teams/:teamId': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    freshActors: true,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 200, colleague: 200, outsider: 404 },
      owner:         { own: 200, colleague: 200, outsider: 404 },
      outsiderAdmin: { own: 200, colleague: 200, outsider: 404 },
    },
    target: teamWriteTarget(() => {
      counter += 1;
      return { name: `Renamed ${counter}` };
    }),
  },
  'DELETE /api/teams/:teamId': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    freshActors: true,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 204, colleague: 204, outsider: 404 },
      owner:         { own: 204, colleague: 204, outsider: 404 },
      outsiderAdmin: { own: 204, colleague: 204, outsider: 404 },
    },
    target: teamWriteTarget(),
  },
  // The primary admin only, to an active admin or member of their organization; a secondary admin
  // is refused whoever the target (forbidden before the target is looked up). A new member and
  // secondary admin per cell; the owner cannot be new (one primary admin per organization, whose
  // session every control uses), so afterRow hands the role back after each cell.
  'POST /api/organization/primary-admin': {
    objects: USER_OBJECTS,
    freshActors: true,
    afterRow: restorePrimaryAdmins,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 403, colleague: 403, colleagueAdmin: 403, outsider: 403, primaryAdmin: 403 },
      owner:         { own: [400, 'invalid_request'], colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: [400, 'invalid_request'] },
      outsiderAdmin: { own: [400, 'invalid_request'], colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: [400, 'invalid_request'] },
    },
    target: transferTarget,
  },
  'POST /api/invitations': {
    objects: ['none', 'colleague', 'outsider'],
    notFound: 'not_found',
    // none: on no team; colleague / outsider: on a team of the actor's / the other organization.
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { none: 201, colleague: 201, outsider: 404 },
      owner:         { none: 201, colleague: 201, outsider: 404 },
      outsiderAdmin: { none: 201, colleague: 201, outsider: 404 },
    },
    target: inviteTarget,
  },
  // Member management's rule (SPEC §4): never oneself nor the primary admin; another
  // organization's user is not found.
  'POST /api/members/:userId/invitation/resend': {
    objects: USER_OBJECTS,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
      owner:         { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
      outsiderAdmin: { own: 403, colleague: 200, colleagueAdmin: 200, outsider: 404, primaryAdmin: 403 },
    },
    target: invitationTarget,
  },
  'DELETE /api/members/:userId/invitation': {
    objects: USER_OBJECTS,
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403 },
      owner:         { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403 },
      outsiderAdmin: { own: 403, colleague: 204, colleagueAdmin: 204, outsider: 404, primaryAdmin: 403 },
    },
    target: invitationTarget,
  },
  // An invitation link is public: the token is the proof, whoever (signed in or not) sends it.
  'GET /api/invitations/:token': {
    objects: ['colleague', 'outsider', 'deadLink'],
    // prettier-ignore
    expect: {
      anonymous:     { colleague: 200, outsider: 200, deadLink: [410, 'invite_expired'] },
      member:        { colleague: 200, outsider: 200, deadLink: [410, 'invite_expired'] },
      admin:         { colleague: 200, outsider: 200, deadLink: [410, 'invite_expired'] },
      owner:         { colleague: 200, outsider: 200, deadLink: [410, 'invite_expired'] },
      outsiderAdmin: { colleague: 200, outsider: 200, deadLink: [410, 'invite_expired'] },
    },
    target: invitationLinkTarget(false),
  },
  // Accepting logs the invitee in: its answer names the invitee, so the other organization's link
  // (fine to accept, see invitation-flow.test.ts) would trip the foreign-id check; left out here.
  'POST /api/invitations/:token/accept': {
    objects: ['colleague', 'deadLink'],
    // prettier-ignore
    expect: {
      anonymous:     { colleague: 200, deadLink: [410, 'invite_expired'] },
      member:        { colleague: 200, deadLink: [410, 'invite_expired'] },
      admin:         { colleague: 200, deadLink: [410, 'invite_expired'] },
      owner:         { colleague: 200, deadLink: [410, 'invite_expired'] },
      outsiderAdmin: { colleague: 200, deadLink: [410, 'invite_expired'] },
    },
    target: invitationLinkTarget(true),
  },
  // The world's mailer is the outbox outside demo mode: admins read their organization's mail.
  // (With SMTP it answers 404, and in demo mode it is public: invitations/*.test.ts.)
  'GET /api/dev/outbox': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: outboxTarget,
  },
  'POST /api/scim-tokens': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 201, owner: 201, outsiderAdmin: 201 },
    target: async (object, actor) => ({
      ...(await noTarget(object, actor)),
      body: { name: 'Okta' },
      check: (response) => {
        if (response.statusCode === 201)
          expect(response.json<{ token: string }>().token).toMatch(/^ergo_scim_/);
      },
    }),
  },
  // The audit log (issue 15): admins, their own organization's chain only.
  'GET /api/audit-log': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: auditTarget,
  },
  'GET /api/audit-log/export': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: auditTarget,
  },
  'GET /api/audit-log/verify': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: auditTarget,
  },
  'GET /api/audit-log/head': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: auditTarget,
  },
  'GET /api/scim-tokens': {
    objects: ['none'],
    expect: { anonymous: 401, member: 403, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: scimTokenListTarget,
  },
  'DELETE /api/scim-tokens/:id': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member: 403,
      admin:         { own: 204, colleague: 204, outsider: 404 },
      owner:         { own: 204, colleague: 204, outsider: 404 },
      outsiderAdmin: { own: 204, colleague: 204, outsider: 404 },
    },
    target: scimTokenTarget,
  },
  // Personal API tokens (issue 15): everyone's own, nobody else's.
  'POST /api/me/api-tokens': {
    objects: ['none'],
    expect: { anonymous: 401, member: 201, admin: 201, owner: 201, outsiderAdmin: 201 },
    target: async (object, actor) => ({
      ...(await noTarget(object, actor)),
      body: { name: 'Matrix CLI', scopes: ['read'], expiresInDays: 1 },
      check: (response) => {
        if (response.statusCode === 201)
          expect(response.json<{ token: string }>().token).toMatch(/^ergo_pat_/);
      },
    }),
  },
  'GET /api/me/api-tokens': {
    objects: ['none'],
    expect: { anonymous: 401, member: 200, admin: 200, owner: 200, outsiderAdmin: 200 },
    target: apiTokenListTarget,
  },
  'DELETE /api/me/api-tokens/:tokenId': {
    objects: ['own', 'colleague', 'outsider'],
    notFound: 'not_found',
    // prettier-ignore
    expect: {
      anonymous: 401,
      member:        { own: 204, colleague: 404, outsider: 404 },
      admin:         { own: 204, colleague: 404, outsider: 404 },
      owner:         { own: 204, colleague: 404, outsider: 404 },
      outsiderAdmin: { own: 204, colleague: 404, outsider: 404 },
    },
    target: apiTokenTarget,
  },
};

/** Writes that touch only sessions, which the fingerprint leaves out on purpose. */
const SESSION_ONLY_WRITES = ['POST /api/auth/login', 'POST /api/auth/logout'];

/** State-changing routes that need no CSRF token (they start a session). */
const CSRF_EXEMPT = ['POST /api/auth/login', 'POST /api/invitations/:token/accept'];

function cellOf(spec: RouteSpec, actor: ActorKey, object: ObjectKey): Cell {
  const entry = spec.expect[actor];
  if (entry === null || typeof entry === 'number' || Array.isArray(entry)) return entry as Cell;
  const cell = (entry as Partial<Record<ObjectKey, Cell>>)[object];
  if (cell === undefined) throw new Error(`no cell for ${actor} × ${object}`);
  return cell;
}

function expectationOf(spec: RouteSpec, cell: number | readonly [number, ErrorCode]) {
  if (typeof cell !== 'number') return { status: cell[0], code: cell[1] };
  const byStatus: Record<number, ErrorCode> = {
    401: 'unauthenticated',
    403: 'forbidden',
    404: spec.notFound ?? 'target_not_found',
  };
  return { status: cell, code: byStatus[cell] };
}

const isOk = (status: number) => status >= 200 && status < 300;

/** The token with its last character changed: same length, so only the comparison refuses it. */
const wrongToken = (token: string) => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

function splitRoute(route: string): { method: Method; path: string } {
  const [method, path] = route.split(' ') as [Method, string];
  return { method, path };
}

interface Row {
  route: string;
  actor: ActorKey;
  object: ObjectKey;
  cell: number | readonly [number, ErrorCode];
}

const ROWS: Row[] = Object.entries(MATRIX).flatMap(([route, spec]) =>
  ACTORS.flatMap((actor) =>
    spec.objects.flatMap((object) => {
      const cell = cellOf(spec, actor, object);
      return cell === null ? [] : [{ route, actor, object, cell }];
    }),
  ),
);

// --- running a row -------------------------------------------------------------------------------

async function actorContext(key: ActorKey, spec: RouteSpec): Promise<ActorContext> {
  if (key === 'anonymous') {
    const point = spec.freshActors ? await freshActor('member') : fixed.member;
    return { ...point, key, agent: undefined };
  }
  if (spec.freshActors && (key === 'member' || key === 'admin')) return freshActor(key);
  const context = fixed[key];
  if (!spec.freshSession) return context;
  const agent = await loginAs(world.app, context.email, context.password);
  return { ...context, agent, self: agent };
}

async function freshActor(role: 'member' | 'admin'): Promise<ActorContext> {
  const user = await freshUser(world, 'acme', role);
  const agent = await login(world, user);
  return {
    key: role,
    agent,
    userId: user.id,
    email: user.email,
    password: WORLD_PASSWORD,
    self: agent,
    org: 'acme',
    isPrimary: false,
  };
}

function buildRequest(route: string, target: Target): HttpRequest {
  const { method, path } = splitRoute(route);
  return {
    method,
    url: fillPath(path, target.params ?? {}) + (target.query ?? ''),
    ...(target.body === undefined ? {} : { body: target.body }),
  };
}

/**
 * No user, team, sync, bulk run, SCIM or API token id of an organization the viewer may not see
 * appears in a response (outbox messages have serial ids: their GET row checks them itself).
 */
async function expectNoForeignIds(
  response: LightMyRequestResponse,
  hiddenOrgs: OrgKey[],
  request: HttpRequest,
  label: string,
): Promise<void> {
  if (hiddenOrgs.length === 0) return;
  const orgIds = hiddenOrgs.map((o) => world.orgs[o].id);
  const db = world.database.db;
  const ids = [
    ...(await db.selectFrom('users').select('id').where('organization_id', 'in', orgIds).execute()),
    ...(await db.selectFrom('teams').select('id').where('organization_id', 'in', orgIds).execute()),
    ...(await db
      .selectFrom('sync_runs')
      .select('id')
      .where('organization_id', 'in', orgIds)
      .execute()),
    ...(await db
      .selectFrom('bulk_runs')
      .select('id')
      .where('organization_id', 'in', orgIds)
      .execute()),
    ...(await db
      .selectFrom('scim_tokens')
      .select('id')
      .where('organization_id', 'in', orgIds)
      .execute()),
    ...(await db
      .selectFrom('api_tokens')
      .select('id')
      .where('organization_id', 'in', orgIds)
      .execute()),
  ].map((r) => r.id);
  const sent = `${request.url} ${JSON.stringify(request.body ?? null)}`;
  const leaked = ids.filter((id) => !sent.includes(id) && response.body.includes(id));
  expect(leaked, `${label}: ids of another organization in the response`).toEqual([]);
}

async function runRow(row: Row): Promise<void> {
  const spec = MATRIX[row.route];
  if (!spec) throw new Error(`no spec for ${row.route}`);
  try {
    await runCell(row, spec);
  } finally {
    await spec.afterRow?.();
  }
}

/** A cell sent with a personal API token of the actor instead of their session. */
interface TokenVariant {
  scope: ApiTokenScope;
  /** The scope is short of what the route needs (or it needs a session): 403 token_scope. */
  refused: boolean;
}

async function runCell(row: Row, spec: RouteSpec, token?: TokenVariant): Promise<void> {
  const expected =
    token?.refused === true
      ? { status: 403, code: 'token_scope' as const }
      : expectationOf(spec, row.cell);
  const label = `${row.route} as ${row.actor} on ${row.object}${token ? ` with a ${token.scope} token` : ''}`;
  const session = await actorContext(row.actor, spec);
  const actor: ActorContext = token
    ? { ...session, agent: await tokenAgent(session, token.scope) }
    : session;
  const target = await spec.target(row.object, actor);
  const request = buildRequest(row.route, target);

  const before = await databaseFingerprint(world.database.db);
  const response = await send(world.app, actor.agent, request);
  await settle();
  expect(response.statusCode, `${label}: ${describeResponse(response)}`).toBe(expected.status);
  if (!isOk(response.statusCode)) {
    expect(expectProblem(response, label), label).toBe(expected.code);
  }
  const after = await databaseFingerprint(world.database.db);
  if (!isOk(response.statusCode) || request.method === 'GET') {
    expect(after, `${label}: database unchanged`).toEqual(before);
  } else if (!SESSION_ONLY_WRITES.includes(row.route)) {
    // The other way round: an allowed write does show in the fingerprint.
    expect(after, `${label}: the write shows in the fingerprint`).not.toEqual(before);
  }
  const viewerSeesOwnOrg = actor.agent !== undefined || isOk(response.statusCode);
  await expectNoForeignIds(
    response,
    viewerSeesOwnOrg ? [other(actor.org)] : ['acme', 'globex'],
    request,
    label,
  );
  target.check?.(response);

  // A token refused where a session is needed: the control is the actor's own (fresh) session.
  const control = token?.refused === true && spec.freshSession === true ? session.self : undefined;
  if (!isOk(expected.status)) await positiveControl(row, spec, target, request, label, control);
}

/**
 * The same request by an actor who may send it succeeds; when nobody may (the primary admin or
 * oneself as target, a cross-organization pair), the organization's primary admin runs the
 * route on a colleague instead.
 */
async function positiveControl(
  row: Row,
  spec: RouteSpec,
  target: Target,
  request: HttpRequest,
  label: string,
  self?: Agent,
): Promise<void> {
  let allowed = self ?? target.allowed;
  if (row.object === 'none' && !self) {
    const key = (['member', 'admin', 'owner'] as const).find((actor) => {
      const cell = cellOf(spec, actor, 'none');
      return cell !== null && isOk(typeof cell === 'number' ? cell : cell[0]);
    });
    allowed = key && fixed[key].self;
  }
  if (allowed) {
    const control = await send(world.app, allowed, request);
    await settle();
    expect(isOk(control.statusCode), `${label}, control: ${describeResponse(control)}`).toBe(true);
    return;
  }
  const primary = primaryOf(target.org);
  const cell = cellOf(spec, primary.key, 'colleague');
  expect(cell !== null && isOk(typeof cell === 'number' ? cell : cell[0])).toBe(true);
  const controlTarget = await spec.target('colleague', primary);
  const control = await send(world.app, primary.self, buildRequest(row.route, controlTarget));
  await settle();
  expect(
    isOk(control.statusCode),
    `${label}, control on a colleague: ${describeResponse(control)}`,
  ).toBe(true);
}

const tokenAgents = new Map<string, Agent>();

/** The actor with a token of `scope` (one per user and scope): Bearer, no cookie, no CSRF. */
async function tokenAgent(actor: ActorContext, scope: ApiTokenScope): Promise<Agent> {
  const key = `${actor.userId}:${scope}`;
  let agent = tokenAgents.get(key);
  if (!agent) {
    const { token } = await apiTokenOf(actor.userId, [scope]);
    agent = { cookie: '', csrfToken: '', userId: actor.userId, bearer: token };
    tokenAgents.set(key, agent);
  }
  return agent;
}

/**
 * What a token needs per route (issue 15), as the API documents it: any GET `read`; these
 * writes `sync`; these a session; every other write `admin` (revoking another of one's tokens
 * too: a token may revoke only itself with less, tests/integration/http/api-tokens.test.ts).
 */
const TOKEN_SYNC_WRITES = [
  'POST /api/members/:userId/sync-settings',
  'POST /api/members/:userId/sync-crm',
  'POST /api/members/:userId/sync-crm/owner-properties',
  'POST /api/syncs/:syncId/revert',
  'POST /api/bulk-syncs',
  'POST /api/bulk-syncs/:id/cancel',
  'POST /api/bulk-syncs/:id/retry',
  'POST /api/bulk-syncs/:id/revert',
  'PUT /api/me/settings/:category',
  'PUT /api/me/crm-connections/:crm',
  'DELETE /api/me/crm-connections/:crm',
  'POST /api/me/crm-connections/:crm/test',
  'POST /api/me/settings/:category/reset',
  'POST /api/members/:userId/follow/:category/resume',
  'POST /api/me/notifications/:notificationId/restore',
  'PUT /api/me/notification-preferences',
];
/** Writes a `read` token may send: marking one's notifications read. */
const TOKEN_READ_WRITES = [
  'POST /api/me/notifications/:notificationId/read',
  'POST /api/me/notifications/read-all',
];
const TOKEN_SESSION_ONLY = [
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/invitations/:token/accept',
  'POST /api/me/crm-connections/:crm/oauth',
  'POST /api/me/api-tokens',
];

function tokenNeeds(route: string): ApiTokenScope | 'session' {
  if (route.startsWith('GET ') || TOKEN_READ_WRITES.includes(route)) return 'read';
  if (TOKEN_SESSION_ONLY.includes(route)) return 'session';
  return TOKEN_SYNC_WRITES.includes(route) ? 'sync' : 'admin';
}

/**
 * Token rows: every /api route × every signed-in actor, on the actor's first object, with a
 * token of just the scope the route needs (the same answer as the session's), and for the
 * owner a token one scope short (403 token_scope, nothing changed). Routes that need a session
 * refuse every token.
 */
const TOKEN_ROWS: (Row & { token: TokenVariant })[] = Object.entries(MATRIX)
  .filter(([route]) => route.split(' ')[1]?.startsWith('/api/'))
  .flatMap(([route, spec]) => {
    const needs = tokenNeeds(route);
    return (['member', 'admin', 'owner', 'outsiderAdmin'] as const).flatMap((actor) => {
      const object = spec.objects[0] ?? 'none';
      const cell = cellOf(spec, actor, object);
      if (cell === null) return [];
      const base = { route, actor, object, cell };
      if (needs === 'session')
        return [{ ...base, token: { scope: 'admin' as const, refused: true } }];
      const rows = [{ ...base, token: { scope: needs, refused: false } }];
      if (actor === 'owner' && needs !== 'read') {
        const short = needs === 'admin' ? 'sync' : 'read';
        rows.push({ ...base, token: { scope: short, refused: true } });
      }
      return rows;
    });
  });

// --- the tests -----------------------------------------------------------------------------------

describe('authorization matrix', () => {
  it('has a row for every route the app serves, and none for a route it does not', () => {
    const served = registeredRoutes(world.app);
    // The inventory parser sees the routes left out on purpose too.
    expect(served).toEqual(
      expect.arrayContaining(['GET /api/openapi.json', 'HEAD /api/health', 'GET /api/docs']),
    );
    expect(Object.keys(MATRIX).sort()).toEqual(routesUnderTest(world.app));
  });

  it('watches every table: each is either guarded or explicitly allowed to change on refusal', async () => {
    const unwatched = (await unclassifiedTables(world.database.db)).filter(
      (table) => !(BULK_TABLES as readonly string[]).includes(table),
    );
    expect(unwatched).toEqual([]);
  });

  for (const route of Object.keys(MATRIX)) {
    describe(route, () => {
      for (const row of ROWS.filter((r) => r.route === route)) {
        const status = typeof row.cell === 'number' ? row.cell : row.cell[0];
        it(`${row.actor} on ${row.object}: ${status}`, () => runRow(row));
      }
    });
  }

  describe('personal API tokens: a token does what its scope and its owner allow, no more', () => {
    for (const row of TOKEN_ROWS) {
      const outcome = row.token.refused
        ? '403 token_scope'
        : String(typeof row.cell === 'number' ? row.cell : row.cell[0]);
      it(`${row.route} as ${row.actor} with a ${row.token.scope} token: ${outcome}`, async () => {
        const spec = MATRIX[row.route];
        if (!spec) throw new Error(row.route);
        try {
          await runCell(row, spec, row.token);
        } finally {
          await spec.afterRow?.();
        }
      });
    }
  });

  describe('CSRF: a state-changing request without the x-csrf-token header is refused', () => {
    const writes = Object.keys(MATRIX).filter((route) => !route.startsWith('GET '));
    for (const route of writes.filter((r) => !CSRF_EXEMPT.includes(r))) {
      it(`${route}: 403 csrf_failed, nothing changed; with the header it succeeds`, async () => {
        const spec = MATRIX[route];
        if (!spec) throw new Error(route);
        const allowed = (['member', 'admin', 'owner'] as const)
          .flatMap((actor) => spec.objects.map((object) => ({ actor, object })))
          .find(({ actor, object }) => {
            const cell = cellOf(spec, actor, object);
            return cell !== null && isOk(typeof cell === 'number' ? cell : cell[0]);
          });
        if (!allowed) throw new Error(`nobody may ${route}`);
        const actor = await actorContext(allowed.actor, spec);
        const target = await spec.target(allowed.object, actor);
        const request = buildRequest(route, target);
        const before = await databaseFingerprint(world.database.db);
        const refused = await send(world.app, actor.agent, request, { csrf: false });
        expect(refused.statusCode, describeResponse(refused)).toBe(403);
        expect(expectProblem(refused, route)).toBe('csrf_failed');
        expect(await databaseFingerprint(world.database.db)).toEqual(before);
        const wrong = await send(world.app, actor.agent, {
          ...request,
          headers: { 'x-csrf-token': wrongToken(actor.self.csrfToken) },
        });
        expect(wrong.statusCode, describeResponse(wrong)).toBe(403);
        expect(await databaseFingerprint(world.database.db)).toEqual(before);
        try {
          const accepted = await send(world.app, actor.agent, request);
          await settle();
          expect(isOk(accepted.statusCode), describeResponse(accepted)).toBe(true);
        } finally {
          await spec.afterRow?.();
        }
      });
    }

    it('POST /api/auth/login is exempt (it starts a session), even with a session cookie', async () => {
      const member = await freshUser(world, 'acme');
      const response = await send(
        world.app,
        fixed.owner.self,
        {
          method: 'POST',
          url: '/api/auth/login',
          body: { email: member.email, password: WORLD_PASSWORD },
        },
        { csrf: false },
      );
      expect(response.statusCode, describeResponse(response)).toBe(200);
    });
  });

  it(`table size: ${ROWS.length} rows`, () => {
    expect(ROWS.length).toBeGreaterThan(200);
  });
});
