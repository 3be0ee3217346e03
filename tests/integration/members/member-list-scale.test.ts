import { CompiledQuery, sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRepository, type MemberPagePosition } from '#src/repositories/member.repository.ts';
import { createUnitOfWork, type UnitOfWork } from '#src/repositories/repositories.ts';
import { listTeamMembers, type MemberRow } from '#src/services/members/member.service.ts';
import { insertOrganization } from '#tests/factories/organization.factory.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * The member table scales (issue 10 point 5): on a team big enough for a sort to matter, the
 * page query walks the index that matches its order (no Sort of the team or the organization,
 * with or without a cursor or a search), and walking every page returns each member once, in
 * lower(name), id order under the "C" collation.
 */

const TEAM_SIZE = 8_000;
/** Users of the same organization on another team: a sort of the organization would read them. */
const OTHERS = 1_000;
const PAGE = 100;

let database: TestDatabase;
let uow: UnitOfWork;
let organizationId: string;
let adminId: string;
let teamId: string;

interface Member {
  id: string;
  name: string;
  email: string;
  key: string;
}
/** Every member of the team, in the order the page must follow (computed here, not by SQL). */
let expected: Member[];

/** Byte order of the UTF-8 text, which is what the "C" collation compares. */
function compareC(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

beforeAll(async () => {
  database = await createTestDatabase();
  uow = createUnitOfWork(database.db);
  const org = await insertOrganization(uow, { primaryAdmin: { name: 'Pat Primary' } });
  organizationId = org.organizationId;
  adminId = org.primaryAdmin.id;
  const { db } = database;
  const team = await sql<{ id: string }>`
    insert into teams (organization_id, name) values (${organizationId}, 'Everyone') returning id`.execute(
    db,
  );
  teamId = team.rows[0]?.id ?? '';
  // Set-based: names with ties (same name, different ids), mixed case, accents, LIKE wildcards.
  await sql`
    insert into users (organization_id, email, name, role, status)
    select ${organizationId}, 'member-' || i || '@example.test',
      case
        when i % 1000 = 0 then 'Same Name'
        when i % 1000 = 1 then 'same name'
        when i = 7 then 'Under_score 100%'
        when i % 97 = 0 then 'Émile ' || substr(md5(i::text), 1, 5)
        else initcap(substr(md5(i::text), 1, 6)) || ' ' || upper(substr(md5(i::text), 7, 1))
          || substr(md5(i::text), 8, 7)
      end,
      'member', 'active'
    from generate_series(1, ${TEAM_SIZE + OTHERS}) as i`.execute(db);
  await sql`
    insert into dashboards (user_id, organization_id)
    select id, organization_id from users where organization_id = ${organizationId}`.execute(db);
  await sql`
    insert into teams (organization_id, name) values (${organizationId}, 'Others')`.execute(db);
  await sql`
    insert into team_members (team_id, user_id, organization_id)
    select case when u.email like 'member-%' and split_part(substr(u.email, 8), '@', 1)::int <= ${TEAM_SIZE}
             then ${teamId}::uuid
             else (select id from teams where organization_id = ${organizationId} and name = 'Others')
           end,
           u.id, u.organization_id
    from users u where u.organization_id = ${organizationId}`.execute(db);
  // History: an applied sync for every third member, then a later preview (dry run), which the
  // table must not show as the last sync.
  await sql`
    insert into sync_runs (organization_id, actor_id, target_id, source_user_id, action, categories, status)
    select ${organizationId}, ${adminId}, tm.user_id, ${adminId}, 'sync_settings', '{task_settings}', s.status
    from team_members tm
    cross join (values (1, 'applied'), (2, 'dry_run')) as s (n, status)
    where tm.team_id = ${teamId} and abs(hashtext(tm.user_id::text)) % 3 = 0
    order by s.n`.execute(db);
  await sql`analyze`.execute(db);

  const members = await sql<{ id: string; name: string; email: string; key: string }>`
    select u.id, u.name, u.email, lower(u.name) as key
    from team_members tm join users u on u.id = tm.user_id
    where tm.team_id = ${teamId}`.execute(db);
  expected = [...members.rows].sort((a, b) => compareC(a.key, b.key) || compareC(a.id, b.id));
}, 120_000);

afterAll(async () => {
  await database.close();
});

/** Every page of the team from the service, following nextCursor; the rows in order. */
async function walk(q?: string): Promise<MemberRow[]> {
  const rows: MemberRow[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listTeamMembers({ uow }, { actorId: adminId }, teamId, {
      limit: PAGE,
      ...(q === undefined ? {} : { q }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    rows.push(...page.items);
    if (page.nextCursor === null) return rows;
    cursor = page.nextCursor;
  }
}

// --- the plan ----------------------------------------------------------------------------------

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The page query's plan, as EXPLAIN (FORMAT JSON) gives it for the statement the repository sends. */
async function planOf(page: {
  q?: string;
  after?: MemberPagePosition;
  limit: number;
}): Promise<PlanNode> {
  let captured: RootOperationNode | undefined;
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      captured = args.node;
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  await new MemberRepository(database.db.withPlugin(capture)).listTeamMembers(
    organizationId,
    teamId,
    page,
  );
  if (!captured) throw new Error('no query captured');
  const compiled = database.db.getExecutor().compileQuery(captured, { queryId: 'explain' });
  const result = await database.db.executeQuery<{ 'QUERY PLAN': unknown }>(
    CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]),
  );
  const raw = result.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const plan = parsed[0]?.Plan;
  if (!plan) throw new Error('no plan');
  return plan;
}

/** The nodes of the page itself: sub-plans (each row's list of teams, sorted) left out. */
function mainNodes(node: PlanNode): PlanNode[] {
  const children = (node.Plans ?? []).filter(
    (c) => c['Parent Relationship'] !== 'SubPlan' && c['Parent Relationship'] !== 'InitPlan',
  );
  return [node, ...children.flatMap(mainNodes)];
}

function allNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(allNodes)];
}

const isSort = (n: PlanNode) => /Sort/.test(n['Node Type']);
const KEYSET_INDEX = 'team_members_team_name_key_idx';
const TRIGRAM_INDEXES = ['users_name_trgm_idx', 'users_email_trgm_idx'];

function describePlan(plan: PlanNode): string {
  return mainNodes(plan)
    .map((n) => `${n['Node Type']}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`)
    .join(' > ');
}

/** The page walks the team's keyset index in order: no Sort node anywhere above it. */
function expectKeysetWalk(plan: PlanNode): void {
  const nodes = mainNodes(plan);
  expect(nodes.filter(isSort), describePlan(plan)).toEqual([]);
  const teamScan = nodes.find((n) => n['Relation Name'] === 'team_members');
  expect(teamScan?.['Index Name'], describePlan(plan)).toBe(KEYSET_INDEX);
  // The latest sync: one entry of the partial index (dry runs are not in it) per row.
  const history = nodes.find((n) => n['Relation Name'] === 'sync_runs');
  expect(history?.['Index Name'], describePlan(plan)).toBe('sync_runs_org_target_applied_seq_idx');
}

describe('member list at scale', () => {
  it(`walks the keyset index (no Sort) for the first page of ${TEAM_SIZE} members and from a cursor`, async () => {
    expectKeysetWalk(await planOf({ limit: 26 }));
    const middle = expected[Math.floor(TEAM_SIZE / 2)];
    if (!middle) throw new Error('no middle member');
    expectKeysetWalk(await planOf({ limit: 26, after: { sortName: middle.key, id: middle.id } }));
  });

  it('searches on an index: a frequent term walks the keyset index, a rare one the trigram indexes (sorting only its matches)', async () => {
    // Every member's email contains "example": the ordered walk finds a page at once.
    expectKeysetWalk(await planOf({ limit: 26, q: 'example' }));
    const middle = expected[Math.floor(TEAM_SIZE / 2)];
    if (!middle) throw new Error('no middle member');
    expectKeysetWalk(
      await planOf({ limit: 26, q: 'example', after: { sortName: middle.key, id: middle.id } }),
    );
    // A rare term: the trigram indexes find its few matches; any Sort is of those alone.
    const rare = (expected[1234]?.key ?? '').slice(0, 6);
    for (const after of [undefined, { sortName: middle.key, id: middle.id }]) {
      const plan = await planOf({ limit: 26, q: rare, ...(after ? { after } : {}) });
      const indexes = allNodes(plan).map((n) => n['Index Name']);
      const usesTrigram = TRIGRAM_INDEXES.some((name) => indexes.includes(name));
      const usesKeyset = indexes.includes(KEYSET_INDEX);
      expect(usesTrigram || usesKeyset, describePlan(plan)).toBe(true);
      if (mainNodes(plan).some(isSort)) expect(usesTrigram, describePlan(plan)).toBe(true);
      // Never a full scan of the organization's users or of the team.
      const seqScans = allNodes(plan).filter(
        (n) =>
          n['Node Type'] === 'Seq Scan' &&
          (n['Relation Name'] === 'users' || n['Relation Name'] === 'team_members'),
      );
      expect(seqScans, describePlan(plan)).toEqual([]);
    }
  });

  it('returns every member exactly once, in lower(name), id order, walking all pages', async () => {
    const rows = await walk();
    expect(rows.length).toBe(TEAM_SIZE);
    expect(new Set(rows.map((r) => r.id)).size).toBe(TEAM_SIZE);
    expect(rows.map((r) => r.id)).toEqual(expected.map((m) => m.id));
  }, 60_000);

  it('search keeps its meaning (case-insensitive substring of name or email, wildcards literal) across pages', async () => {
    const matches = (q: string) =>
      expected
        .filter((m) => m.key.includes(q.toLowerCase()) || m.email.includes(q.toLowerCase()))
        .map((m) => m.id);
    for (const q of ['SAME name', 'Ab', 'member-1999', '_', '100%', 'e']) {
      const ids = (await walk(q)).map((r) => r.id);
      expect(ids, q).toEqual(matches(q));
      expect(ids.length, q).toBeGreaterThan(0);
    }
    // "%" and "_" are not wildcards: only the one name that holds them.
    expect((await walk('_')).map((r) => r.name)).toEqual(['Under_score 100%']);
  }, 60_000);

  it('shows the latest applied sync, not a later preview, and follows a rename', async () => {
    const { rows } = await sql<{ target_id: string }>`
      select target_id from sync_runs where status = 'applied' and organization_id = ${organizationId}
      limit 1`.execute(database.db);
    const synced = rows[0]?.target_id;
    if (!synced) throw new Error('no synced member');
    await sql`update users set name = '!!! First' where id = ${synced}`.execute(database.db);
    const page = await listTeamMembers({ uow }, { actorId: adminId }, teamId, { limit: 1 });
    expect(page.items[0]?.id).toBe(synced);
    expect(page.items[0]?.lastSync?.status).toBe('applied');
    const stored = await sql<{ name_key: string }>`
      select name_key from team_members where user_id = ${synced}`.execute(database.db);
    expect(stored.rows.map((r) => r.name_key)).toEqual(['!!! first']);
  });
});
