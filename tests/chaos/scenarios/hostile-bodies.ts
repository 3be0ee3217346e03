import pg from 'pg';
import { ApiClient, outcomeOf, TransportError } from '#tests/chaos/api-client.ts';
import { appEnv } from '#tests/chaos/app-process.ts';
import { tally, type ScenarioRow } from '#tests/chaos/report.ts';
import type { Scope } from '#tests/chaos/scope.ts';
import { expectStatus, syncPath, syncTargets } from '#tests/chaos/scenarios/ergo.ts';

/**
 * Scenario 6: a corpus of hostile requests against the real process (PostgreSQL, so the
 * database can be read while the app runs). Required: no 5xx (nor a dropped connection), the
 * process stays up, and nothing is written: a fingerprint of the tables a request could change
 * is the same before and after (refusals are audited by design, so `refused` audit rows are
 * counted apart and not part of the fingerprint).
 */
const DEPTH = 10_000;

interface Case {
  name: string;
  method: string;
  path: string;
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

function corpus(target: string, version: number): Case[] {
  const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
  const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
  const sync = syncPath(target);
  const put = '/api/me/settings/company_details';
  const json = (name: string, method: string, path: string, raw: string): Case => ({
    name,
    method,
    path,
    raw,
  });
  const company = (fields: string): string => `{"value":{${fields}},"dashboardVersion":${version}}`;
  return [
    // deep nesting
    json('deep object → sync', 'POST', sync, deepObject),
    json('deep array in categories', 'POST', sync, `{"categories":${deepArray}}`),
    json(
      'deep object in a settings value',
      'PUT',
      put,
      `{"value":${deepObject},"dashboardVersion":${version}}`,
    ),
    json('deep object → login', 'POST', '/api/auth/login', deepObject),
    // NUL
    json(
      'NUL in a category name',
      'POST',
      sync,
      '{"categories":["company_details\\u0000"],"dryRun":true}',
    ),
    json('NUL in a settings string', 'PUT', put, company('"companyName":"Acme\\u0000Evil"')),
    json(
      'NUL in the login email',
      'POST',
      '/api/auth/login',
      '{"email":"admin@acme.test\\u0000","password":"x"}',
    ),
    { name: 'raw NUL byte in the body', method: 'POST', path: sync, raw: '{"dryRun":\u0000true}' },
    // lone surrogates
    json(
      'lone high surrogate in a settings string',
      'PUT',
      put,
      company('"companyName":"\\ud800"'),
    ),
    json(
      'lone low surrogate in a settings string',
      'PUT',
      put,
      company('"description":"x\\udfff"'),
    ),
    json(
      'lone surrogate in a category name',
      'POST',
      sync,
      '{"categories":["\\ud800"],"dryRun":true}',
    ),
    json(
      'lone surrogate in the login email',
      'POST',
      '/api/auth/login',
      '{"email":"\\ud800@acme.test","password":"x"}',
    ),
    {
      name: 'invalid UTF-8 bytes',
      method: 'POST',
      path: sync,
      raw: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    },
    {
      name: 'surrogate in the path',
      method: 'POST',
      path: '/api/members/%ED%A0%80/sync-settings',
      raw: '{}',
    },
    // prototype pollution
    json('__proto__ in a sync body', 'POST', sync, '{"__proto__":{"isAdmin":true},"dryRun":true}'),
    json(
      'constructor.prototype in a sync body',
      'POST',
      sync,
      '{"constructor":{"prototype":{"x":1}},"dryRun":true}',
    ),
    json('__proto__ in a settings value', 'PUT', put, company('"__proto__":{"polluted":true}')),
    json(
      '__proto__ in the login body',
      'POST',
      '/api/auth/login',
      '{"__proto__":{"x":1},"email":"a@b.c","password":"x"}',
    ),
    // huge numbers
    json('dashboardVersion 1e400', 'PUT', put, `{"value":{},"dashboardVersion":1e400}`),
    json(
      'dashboardVersion 2^70',
      'PUT',
      put,
      `{"value":{},"dashboardVersion":1180591620717411303424}`,
    ),
    json('dashboardVersion 2^53+1', 'PUT', put, `{"value":{},"dashboardVersion":9007199254740993}`),
    json('dashboardVersion -1e308', 'PUT', put, `{"value":{},"dashboardVersion":-1e308}`),
    json(
      'huge number in a settings value',
      'PUT',
      '/api/me/settings/task_settings',
      `{"value":{"defaultDueOffsetDays":1e400},"dashboardVersion":${version}}`,
    ),
    { name: 'limit=1e400', method: 'GET', path: '/api/syncs?limit=1e400' },
    { name: 'limit=2^70', method: 'GET', path: '/api/syncs?limit=1180591620717411303424' },
    {
      name: 'team members limit=-0',
      method: 'GET',
      path: '/api/teams/00000000-0000-0000-0000-000000000000/members?limit=-0',
    },
    // malformed UUIDs
    json('sync to a non-UUID', 'POST', '/api/members/not-a-uuid/sync-settings', '{"dryRun":true}'),
    json(
      'sync to a UUID with a g',
      'POST',
      '/api/members/0000000g-0000-0000-0000-000000000000/sync-settings',
      '{"dryRun":true}',
    ),
    json(
      'sync to SQL in the path',
      'POST',
      `/api/members/${encodeURIComponent("' or 1=1 --")}/sync-settings`,
      '{"dryRun":true}',
    ),
    json('sync-crm to a non-UUID', 'POST', '/api/members/%00/sync-crm', '{}'),
    { name: 'revert a non-UUID', method: 'POST', path: '/api/syncs/zzz/revert' },
    {
      name: 'revert an unknown UUID',
      method: 'POST',
      path: '/api/syncs/00000000-0000-4000-8000-000000000000/revert',
    },
    { name: 'history for a non-UUID', method: 'GET', path: '/api/syncs?memberId=..%2F..%2Fetc' },
    { name: 'history with a garbage cursor', method: 'GET', path: '/api/syncs?cursor=%FF%FE' },
    {
      name: 'history with a forged cursor',
      method: 'GET',
      path: `/api/syncs?cursor=${Buffer.from('99999-01-01T00:00:00Z|x').toString('base64url')}`,
    },
    {
      name: 'members of a non-UUID team',
      method: 'GET',
      path: '/api/teams/x%27%3B%20drop%20table%20users%3B--/members',
    },
    json('patch a non-UUID member', 'PATCH', '/api/members/nope', '{"role":"admin"}'),
    json('unknown category', 'PUT', '/api/me/settings/__proto__', company('')),
    // oversize and odd bodies
    json('1 MB body', 'POST', sync, `{"categories":["${'x'.repeat(1024 * 1024)}"]}`),
    json('300 KB settings value', 'PUT', put, company(`"description":"${'y'.repeat(300 * 1024)}"`)),
    json(
      '10,000 categories',
      'POST',
      sync,
      JSON.stringify({ categories: Array.from({ length: 10_000 }, () => 'company_details') }),
    ),
    {
      name: 'text/plain sync body',
      method: 'POST',
      path: sync,
      raw: 'dryRun=true',
      contentType: 'text/plain',
    },
    { name: 'truncated JSON', method: 'POST', path: sync, raw: '{"categories":["company_' },
    { name: 'JSON null body', method: 'PUT', path: put, raw: 'null' },
    { name: 'JSON string body', method: 'POST', path: sync, raw: '"dryRun"' },
    // hostile headers
    {
      name: '300-char Idempotency-Key',
      method: 'POST',
      path: sync,
      raw: '{"categories":[]}',
      headers: { 'idempotency-key': 'k'.repeat(300) },
    },
    {
      name: 'blank Idempotency-Key',
      method: 'POST',
      path: sync,
      raw: '{"categories":[]}',
      headers: { 'idempotency-key': '   ' },
    },
    {
      name: 'wrong CSRF token',
      method: 'POST',
      path: sync,
      raw: '{}',
      headers: { 'x-csrf-token': 'forged' },
    },
  ];
}

const FINGERPRINT_SQL = `select
  (select count(*) from sync_runs)::text as sync_runs,
  (select count(*) from audit_log where outcome <> 'refused')::text as audit_log,
  (select count(*) || '/' || coalesce(sum(version), 0) from dashboards) as dashboards,
  (select count(*) || '/' || coalesce(sum(version), 0) from dashboard_settings) as dashboard_settings,
  (select count(*) || '/' || coalesce(max(updated_at)::text, '') from custom_properties) as custom_properties,
  (select count(*) || '/' || coalesce(max(updated_at)::text, '') from pipeline_stages) as pipeline_stages,
  (select count(*) from salesforce_record_types)::text as salesforce_record_types,
  (select count(*) || '/' || coalesce(max(updated_at)::text, '') from crm_connections) as crm_connections,
  (select count(*) || '/' || coalesce(max(updated_at)::text, '') from users) as users,
  (select count(*) from team_members)::text as team_members,
  (select count(*) from idempotency_keys)::text as idempotency_keys`;

export async function hostileBodies(scope: Scope, row: ScenarioRow): Promise<void> {
  const cluster = scope.requireCluster();
  const database = await cluster.createDatabase('chaos_hostile');
  const url = cluster.urlFor(database);
  const app = await scope.startApp(appEnv({ DATABASE_URL: url }), 'app');
  const client = new ApiClient(app.url);
  await client.mustLogin();
  const target = (await syncTargets(client))[0]?.id ?? '';
  const { dashboardVersion } = expectStatus(
    await client.request<{ dashboardVersion: number }>('GET', '/api/me/settings/company_details'),
    200,
    'GET company_details',
  );
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => undefined);
  await db.connect();
  const fingerprint = async (): Promise<Record<string, string>> =>
    (await db.query<Record<string, string>>(FINGERPRINT_SQL)).rows[0] ?? {};
  const refused = async (): Promise<number> =>
    Number(
      (
        await db.query<{ n: string }>(
          `select count(*) as n from audit_log where outcome = 'refused'`,
        )
      ).rows[0]?.n,
    );
  try {
    const before = await fingerprint();
    const refusedBefore = await refused();
    const outcomes: string[] = [];
    for (const c of corpus(target, dashboardVersion)) {
      scope.check();
      row.runs += 1;
      const response = await client.tryRequest(c.method, c.path, {
        ...(c.raw === undefined ? {} : { raw: c.raw }),
        ...(c.contentType ? { contentType: c.contentType } : {}),
        ...(c.headers ? { headers: c.headers } : {}),
        timeoutMs: 10_000,
      });
      const outcome = outcomeOf(response);
      outcomes.push(outcome);
      if (response instanceof TransportError || response.status >= 500) {
        row.failures += 1;
        row.problems.push(`${c.name}: ${outcome}`);
      }
      if (!app.alive()) {
        row.failures += 1;
        row.problems.push(`${c.name}: the app process died`);
        break;
      }
    }
    const after = await fingerprint();
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    row.figures.push(tally(outcomes), `refusals audited +${(await refused()) - refusedBefore}`);
    row.figures.push(
      changed.length === 0 ? 'fingerprint unchanged' : `changed: ${changed.join(', ')}`,
    );
    if (changed.length > 0) {
      row.failures += 1;
      row.problems.push(
        `written: ${changed.map((k) => `${k} ${before[k] ?? ''} → ${after[k] ?? ''}`).join('; ')}`,
      );
    }
    const health = await client.tryRequest('GET', '/api/health');
    if (health instanceof TransportError || health.status !== 200) {
      row.failures += 1;
      row.problems.push(`after the corpus /api/health answered ${outcomeOf(health)}`);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
}
