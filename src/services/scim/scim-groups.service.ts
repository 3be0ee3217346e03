import { pushToArrivingMember } from '#src/services/policies/follow.service.ts';
import type { Repositories } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  groupResource,
  listResponse,
  memberIdOfPath,
  memberIds,
  paging,
  parseEqFilter,
  patchOperations,
  scimError,
  scimString,
  SCHEMA,
} from '#src/services/scim/scim-protocol.ts';
import {
  scimDetails,
  type ScimContext,
  type ScimDeps,
} from '#src/services/scim/scim-users.service.ts';
import { isUuid } from '#src/services/sync/sync-support.ts';

/** SCIM Groups are Ergo's teams (SPEC §1: a named group of members inside one organization). */

const GROUP_NOT_FOUND = 'No Group with that id in this organization.';
const MAX_TEAM_NAME_LENGTH = 120;

/** What a request asks of a team's members. */
type MembersChange =
  | { kind: 'add'; ids: string[] }
  | { kind: 'remove'; ids: string[] }
  | { kind: 'removeAll' }
  | { kind: 'replace'; ids: string[] };

export async function getScimGroup(
  deps: ScimDeps,
  context: ScimContext,
  teamId: string,
  options: { excludedAttributes?: string } = {},
) {
  const row = isUuid(teamId)
    ? await deps.uow.read.scimTokens.findGroup(context.organizationId, teamId)
    : undefined;
  if (!row) throw scimError('not_found', undefined, GROUP_NOT_FOUND);
  return groupResource(row, context.baseUrl, { members: !excludesMembers(options) });
}

/** The organization's teams, a page at a time, optionally `displayName eq "…"` (any case). */
export async function listScimGroups(
  deps: ScimDeps,
  context: ScimContext,
  query: { filter?: string; startIndex?: string; count?: string; excludedAttributes?: string },
) {
  const page = paging(query);
  const filter =
    query.filter === undefined || query.filter.trim() === ''
      ? undefined
      : parseEqFilter(query.filter, ['displayName'], SCHEMA.group);
  const { total, rows } = await deps.uow.read.scimTokens.listGroups(context.organizationId, {
    ...(filter ? { displayName: filter.value } : {}),
    offset: page.offset,
    limit: page.limit,
  });
  const members = !excludesMembers(query);
  return listResponse(
    rows.map((row) => groupResource(row, context.baseUrl, { members })),
    total,
    page.startIndex,
  );
}

/** Creates a team from a Group (`displayName`, optional `members`); a taken name → 409. */
export async function createScimGroup(deps: ScimDeps, context: ScimContext, body: unknown) {
  const group = asObject(body);
  const name = teamName(field(group, 'displayName'));
  const members = field(group, 'members');
  const ids = members === undefined || members === null ? [] : memberIds(members);
  const teamId = await deps.uow.transaction(async (repos) => {
    await assertNameFree(repos, context, name, undefined);
    const team = await repos.teams.create(context.organizationId, name);
    if (!team) throw nameTaken();
    const id = team.id;
    const added = await applyMembers(repos, context, id, { kind: 'add', ids });
    await audit(repos, context, 'scim.group_created', { teamId: id, name, ...added });
    return id;
  });
  return getScimGroup(deps, context, teamId);
}

/** PUT: the team's name and (when given) its full member list. */
export async function replaceScimGroup(
  deps: ScimDeps,
  context: ScimContext,
  teamId: string,
  body: unknown,
) {
  const group = asObject(body);
  const name = teamName(field(group, 'displayName'));
  const members = field(group, 'members');
  const change: MembersChange | undefined =
    members === undefined
      ? undefined
      : { kind: 'replace', ids: members === null ? [] : memberIds(members) };
  return changeGroup(deps, context, teamId, name, change === undefined ? [] : [change]);
}

/**
 * PATCH (RFC 7644 §3.5.2) as Okta and Entra ID send it: members `add` / `remove` with a value
 * list (Entra) or `remove` with `path: members[value eq "<id>"]` (Okta), `replace` of members
 * (Okta's group push), and a rename by `path: displayName` or `replace` with
 * `{ value: { displayName } }` (Okta). `op` in any case.
 */
export async function patchScimGroup(
  deps: ScimDeps,
  context: ScimContext,
  teamId: string,
  body: unknown,
) {
  const operations = patchOperations(body, SCHEMA.group);
  let rename: string | undefined;
  const changes: MembersChange[] = [];
  for (const operation of operations) {
    const path = operation.path;
    if (path === undefined) {
      const value = asObject(operation.value);
      const name = field(value, 'displayName');
      if (name !== undefined) rename = teamName(name);
      const members = field(value, 'members');
      if (members !== undefined) {
        const ids = members === null ? [] : memberIds(members);
        changes.push(operation.op === 'add' ? { kind: 'add', ids } : { kind: 'replace', ids });
      }
      continue;
    }
    if (path === 'displayname') {
      if (operation.op === 'remove') {
        throw scimError('invalid_request', 'mutability', "A team's displayName can't be removed.");
      }
      rename = teamName(operation.value);
      continue;
    }
    if (path === 'members') {
      if (operation.op === 'add') changes.push({ kind: 'add', ids: memberIds(operation.value) });
      else if (operation.op === 'replace') {
        changes.push({
          kind: 'replace',
          ids: operation.value === null ? [] : memberIds(operation.value),
        });
      } else if (operation.value === undefined) changes.push({ kind: 'removeAll' });
      else changes.push({ kind: 'remove', ids: memberIds(operation.value) });
      continue;
    }
    const memberId = memberIdOfPath(operation.rawPath);
    if (memberId !== undefined && operation.op === 'remove') {
      changes.push({ kind: 'remove', ids: [memberId] });
      continue;
    }
    if (path === 'externalid') continue; // Not kept by Ergo (teams match by displayName).
    throw scimError(
      'invalid_request',
      'invalidPath',
      `"${operation.rawPath ?? ''}" is not a Group attribute Ergo supports (displayName, members).`,
    );
  }
  return changeGroup(deps, context, teamId, rename, changes);
}

/** DELETE: the team is deleted; its members stay in the organization. */
export async function deleteScimGroup(deps: ScimDeps, context: ScimContext, teamId: string) {
  await deps.uow.transaction(async (repos) => {
    const team = isUuid(teamId)
      ? await repos.teams.lockInOrganization(context.organizationId, teamId)
      : undefined;
    if (!team) throw scimError('not_found', undefined, GROUP_NOT_FOUND);
    const memberCount = team.memberCount;
    await repos.teams.delete(context.organizationId, team.id);
    await audit(repos, context, 'scim.group_deleted', {
      teamId: team.id,
      name: team.name,
      memberCount,
    });
  });
}

// --- internals ---------------------------------------------------------------------------------

async function changeGroup(
  deps: ScimDeps,
  context: ScimContext,
  teamId: string,
  rename: string | undefined,
  changes: MembersChange[],
) {
  const start = await deps.uow.transaction(async (repos) => {
    const team = isUuid(teamId)
      ? await repos.teams.lockInOrganization(context.organizationId, teamId)
      : undefined;
    if (!team) throw scimError('not_found', undefined, GROUP_NOT_FOUND);
    const renamed = rename !== undefined && rename !== team.name;
    if (renamed) {
      await assertNameFree(repos, context, rename, team.id);
      await repos.teams.rename(context.organizationId, team.id, rename);
    }
    const added: string[] = [];
    const removed: string[] = [];
    for (const change of changes) {
      const result = await applyMembers(repos, context, team.id, change);
      added.push(...result.added);
      removed.push(...result.removed);
    }
    if (!renamed && added.length === 0 && removed.length === 0) return () => undefined;
    await audit(repos, context, 'scim.group_updated', {
      teamId: team.id,
      ...(renamed ? { renamed: { from: team.name, to: rename } } : {}),
      added,
      removed,
    });
    // Members who joined a team that follows an admin get the followed categories (issue 16).
    const starts: (() => void)[] = [];
    for (const userId of added) {
      starts.push((await pushToArrivingMember(repos, deps, { requestId: null }, userId)).start);
    }
    return () => {
      for (const s of starts) s();
    };
  });
  start();
  return getScimGroup(deps, context, teamId);
}

/**
 * Applies one membership change in set-based statements. Every id must be a User of this
 * organization (400 otherwise). SCIM acts with an admin's authority, so, as for admins (SPEC §4),
 * the primary admin's teams are not changed through it: naming them in an add or remove is
 * refused, and a full replace leaves their membership as it is.
 */
async function applyMembers(
  repos: Repositories,
  context: ScimContext,
  teamId: string,
  change: MembersChange,
): Promise<{ added: string[]; removed: string[] }> {
  const current = await repos.scimTokens.teamMemberIds(context.organizationId, teamId);
  if (change.kind === 'removeAll' || change.kind === 'replace') {
    const wanted = change.kind === 'replace' ? await checkedUsers(repos, context, change.ids) : [];
    const primary = await primaryAdminIds(repos, context, current);
    const keep = new Set([
      ...wanted.filter((u) => u.role !== 'primary_admin').map((u) => u.id),
      ...primary,
    ]);
    const toRemove = current.filter((id) => !keep.has(id));
    const currentSet = new Set(current);
    const toAdd = [...keep].filter((id) => !currentSet.has(id));
    return {
      removed: await repos.scimTokens.removeTeamMembers(context.organizationId, teamId, toRemove),
      added: await repos.scimTokens.addTeamMembers(context.organizationId, teamId, toAdd),
    };
  }
  const users = await checkedUsers(repos, context, change.ids);
  if (users.some((u) => u.role === 'primary_admin')) {
    throw scimError(
      'forbidden',
      'mutability',
      "The primary admin's teams can't be changed through SCIM: change them in Ergo.",
    );
  }
  const ids = users.map((u) => u.id);
  return change.kind === 'add'
    ? {
        added: await repos.scimTokens.addTeamMembers(context.organizationId, teamId, ids),
        removed: [],
      }
    : {
        added: [],
        removed: await repos.scimTokens.removeTeamMembers(context.organizationId, teamId, ids),
      };
}

async function checkedUsers(repos: Repositories, context: ScimContext, ids: string[]) {
  const unique = [...new Set(ids)];
  const found = unique.every(isUuid)
    ? await repos.scimTokens.usersInOrganization(context.organizationId, unique)
    : [];
  if (found.length !== unique.length) {
    throw scimError(
      'invalid_request',
      'invalidValue',
      'A member is not a User of this organization: create the User first, then add them.',
    );
  }
  return found;
}

async function primaryAdminIds(
  repos: Repositories,
  context: ScimContext,
  ids: string[],
): Promise<string[]> {
  const users = await repos.scimTokens.usersInOrganization(context.organizationId, ids);
  return users.filter((u) => u.role === 'primary_admin').map((u) => u.id);
}

/**
 * The teams' name rule (as in the console's team service): unique in the organization ignoring
 * case and surrounding spaces. A taken name is SCIM's 409 `uniqueness`.
 */
async function assertNameFree(
  repos: Repositories,
  context: ScimContext,
  name: string,
  exceptTeamId: string | undefined,
): Promise<void> {
  const holder = await repos.teams.findByNameIgnoringCase(
    context.organizationId,
    name,
    exceptTeamId,
  );
  if (holder !== undefined) throw nameTaken();
}

function nameTaken() {
  return scimError(
    'invalid_request',
    'uniqueness',
    'This organization already has a team with that displayName.',
  );
}

async function audit(
  repos: Repositories,
  context: ScimContext,
  action: 'scim.group_created' | 'scim.group_updated' | 'scim.group_deleted',
  details: Record<string, unknown>,
): Promise<void> {
  await appendAudit(repos, {
    organizationId: context.organizationId,
    actorId: null,
    targetId: null,
    action,
    outcome: 'applied',
    categories: [],
    details: { ...scimDetails(context), ...details },
    requestId: context.requestId,
  });
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw scimError('invalid_request', 'invalidSyntax', 'The Group must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** An attribute of a SCIM object by name in any case (RFC 7643 §2.1). */
function field(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function teamName(value: unknown): string {
  // Stored as the console stores team names: trimmed, inner runs of spaces made one.
  const name = scimString(value, 'displayName').trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > MAX_TEAM_NAME_LENGTH) {
    throw scimError(
      'invalid_request',
      'invalidValue',
      `A team's displayName needs 1 to ${MAX_TEAM_NAME_LENGTH} characters.`,
    );
  }
  return name;
}

function excludesMembers(options: { excludedAttributes?: string }): boolean {
  return (options.excludedAttributes ?? '')
    .split(',')
    .some((a) => a.trim().toLowerCase() === 'members');
}
