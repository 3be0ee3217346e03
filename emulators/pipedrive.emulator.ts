import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  bearerToken,
  EmulatorServer,
  type AuthResult,
  type EmulatorReply,
  type EmulatorRequest,
  type EmulatorRoute,
  type FaultConfig,
  type VendorBehaviour,
} from '#emulators/emulator-server.ts';
import {
  actingPersonId,
  type EmulatorAccounts,
  type EmulatorOAuthClient,
} from '#emulators/emulator-accounts.ts';
import {
  clientCredentials,
  OAuthAuthority,
  requestParams,
  type OAuthControl,
  type TokenOutcome,
} from '#emulators/oauth-server.ts';

/**
 * A loopback Pipedrive (shared/product/crm-api-notes.md §5): v1 users, v1 dealFields /
 * personFields (list paged with start/limit and `additional_data.pagination`, get one, create,
 * and PUT where every option must be resent with its id or it is removed), and v2
 * `POST /api/v2/{dealFields|personFields}/{field_code}/options` (atomic append, returns only the
 * new options). Auth: API tokens in the `x-api-token` header or the legacy `?api_token=` query
 * parameter; OAuth access tokens as `Authorization: Bearer`. Errors are
 * `{success:false, error, errorCode, error_info, data:null, additional_data:null}`; 429 carries
 * `x-ratelimit-*` and Retry-After in seconds. State is per instance.
 *
 * Expiry: Pipedrive API tokens do not expire (they are revoked or regenerated, which gives the
 * plain 401 "unauthorized access"); only OAuth access tokens expire. `faults.tokensExpired`
 * therefore answers every known token, whatever the scheme, with the OAuth expired-token 401
 * (`error: "Invalid token: access token has expired"`), so the "expired" path can be tested.
 *
 * OAuth (the shared authorization server, emulators/oauth-server.ts, on Pipedrive's paths; the
 * host is https://oauth.pipedrive.com in production):
 * - `GET /oauth/authorize?client_id&redirect_uri&state` → the consent page (Pipedrive's URL has
 *   no `response_type`: the emulator supplies `code`), whose form POSTs back to it.
 * - `POST /oauth/token` with `Authorization: Basic base64(client_id:client_secret)` and a form
 *   `grant_type=authorization_code&code&redirect_uri` or `grant_type=refresh_token&refresh_token`
 *   → `{access_token, token_type: "Bearer", refresh_token, scope, expires_in, api_domain}`
 *   (developers.pipedrive.com/docs/api/v1/Oauth; the field list is the SDK's own
 *   `TokenResponse`); `api_domain` is the emulator's own base URL. The refresh token is answered
 *   unchanged unless `oauth.rotateRefreshTokens` (whether Pipedrive rotates is (mem)). Errors
 *   (mem): 401 `{success: false, message, error: "invalid_client"}`, 400 `{success: false,
 *   message, error: "invalid_grant" | "unsupported_grant_type" | "invalid_request"}`.
 * - Issued access tokens are accepted as Bearer on `/v1`, `/api/v1` and `/api/v2`; an expired
 *   one answers the expired-token 401, a revoked one "unauthorized access". Seeded
 *   `refreshTokens` are grants of the authority (bound to no client); seeded `oauthTokens` are
 *   Bearer tokens that never expire.
 */

export interface PipedriveUser {
  id: number;
  name: string;
  email: string;
  active_flag: boolean;
  is_admin: 0 | 1;
  role_id: number;
  lang: number;
  locale: string;
  timezone_name: string;
  default_currency: string;
  created: string;
  modified: string;
  icon_url: string | null;
}

export interface PipedriveOption {
  id: number;
  label: string;
}

export interface PipedriveField {
  id: number;
  key: string;
  name: string;
  order_nr: number;
  field_type: string;
  add_time: string;
  update_time: string;
  last_updated_by_user_id: number | null;
  active_flag: boolean;
  edit_flag: boolean;
  index_visible_flag: boolean;
  details_visible_flag: boolean;
  add_visible_flag: boolean;
  important_flag: boolean;
  bulk_edit_allowed: boolean;
  searchable_flag: boolean;
  filtering_allowed: boolean;
  sortable_flag: boolean;
  mandatory_flag: boolean;
  options?: PipedriveOption[];
}

export type PipedriveEntity = 'deal' | 'person';

export interface PipedriveSeed extends Pick<
  EmulatorAccounts,
  'people' | 'tokens' | 'tokenOwners' | 'refreshTokens' | 'oauthClients'
> {
  /** Accepted OAuth access tokens (`Authorization: Bearer`) that never expire. */
  oauthTokens: string[];
  /** `expires_in` of issued access tokens (default 3599, as in Pipedrive's examples (mem)). */
  accessTokenLifetimeSeconds: number;
  /** Users in Pipedrive's own shape, added after the fillers and `people`. */
  users: PipedriveUser[];
  /** How many filler users to seed (default 40; GET /api/v1/users is not paged). */
  fillerUsers: number;
  /** How many filler custom deal fields to seed (default 0) so a field listing needs pages. */
  fillerDealFields: number;
  /** Fields added to the defaults, per entity. */
  fields: Partial<Record<PipedriveEntity, PipedriveField[]>>;
  /** false: the /api/v2 routes answer 404 (an API without v2), leaving the v1 PUT path. */
  apiV2: boolean;
  /**
   * How a fields list pages: `nested` (default) is `additional_data.pagination` with
   * `next_start`, as Pipedrive's "Responses" page documents for list endpoints; `flat` is
   * `additional_data: {start, limit, more_items_in_collection}`, as the official SDK's generated
   * `GetFieldsResponseAllOfAdditionalData` declares for the fields lists (no `next_start`).
   */
  fieldsPaging: 'nested' | 'flat';
}

export interface PipedriveState {
  tokens: Set<string>;
  /** Token → the user id it belongs to (`GET users/me`). */
  tokenOwners: Record<string, string>;
  /** Whose token one without an owner is. */
  defaultUserId: number;
  /** Seeded Bearer tokens (the authority's issued ones are checked there). */
  oauthTokens: Set<string>;
  /** Seeded refresh tokens, adopted as grants by the authority. */
  refreshTokens: Set<string>;
  oauthClients: EmulatorOAuthClient[];
  /** Whom the consent page offers to sign in as. */
  people: { id: string; email: string; name: string }[];
  accessTokenLifetimeSeconds: number;
  users: PipedriveUser[];
  fields: Record<PipedriveEntity, PipedriveField[]>;
  apiV2: boolean;
  fieldsPaging: 'nested' | 'flat';
  nextFieldId: number;
  nextOptionId: number;
  /** Requests answered so far (feeds the rate-limit headers). */
  requestCount: number;
}

const SEEDED_AT = '2024-03-04 09:30:00';
/** `expires_in` of Pipedrive OAuth access tokens in its examples (mem). */
export const PIPEDRIVE_ACCESS_TOKEN_LIFETIME = 3599;
/** What a Pipedrive app is granted (set in its Marketplace settings, not the authorize URL). */
const PIPEDRIVE_SCOPES = ['base', 'deals:full', 'users:read', 'admin'];
const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;
const RATE_LIMIT = 80;
const DAILY_BUDGET = 30_000;
const ERROR_INFO =
  'Please check developers.pipedrive.com for more information about Pipedrive API.';
const ENTITY_PATHS: Record<string, PipedriveEntity> = {
  dealFields: 'deal',
  personFields: 'person',
};

function user(id: number, email: string, name: string, admin = false): PipedriveUser {
  return {
    id,
    name,
    email,
    active_flag: true,
    is_admin: admin ? 1 : 0,
    role_id: admin ? 1 : 2,
    lang: 1,
    locale: 'en_US',
    timezone_name: 'America/New_York',
    default_currency: 'USD',
    created: SEEDED_AT,
    modified: SEEDED_AT,
    icon_url: null,
  };
}

function fillerUsers(count: number): PipedriveUser[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const u = user(13_056_000 + i + 1, `contractor${n}@acme-partners.test`, `Contractor ${n}`);
    // One deactivated filler, as Pipedrive lists deactivated users too.
    return i === 6 ? { ...u, active_flag: false } : u;
  });
}

/** A custom field's key: 40 hex characters, stable for an entity and id. */
export function pipedriveFieldKey(entity: PipedriveEntity, id: number): string {
  return createHash('sha1').update(`pipedrive:${entity}:${id}`).digest('hex');
}

function field(
  id: number,
  key: string,
  name: string,
  fieldType: string,
  custom: boolean,
  options?: PipedriveOption[],
): PipedriveField {
  return {
    id,
    key,
    name,
    order_nr: 0,
    field_type: fieldType,
    add_time: SEEDED_AT,
    update_time: SEEDED_AT,
    last_updated_by_user_id: custom ? 13_057_001 : null,
    active_flag: true,
    edit_flag: custom,
    index_visible_flag: true,
    details_visible_flag: true,
    add_visible_flag: true,
    important_flag: false,
    bulk_edit_allowed: true,
    searchable_flag: false,
    filtering_allowed: true,
    sortable_flag: true,
    mandatory_flag: false,
    ...(options === undefined ? {} : { options }),
  };
}

function defaultFields(fillers: number): Record<PipedriveEntity, PipedriveField[]> {
  const system: [string, string, string][] = [
    ['id', 'ID', 'int'],
    ['title', 'Title', 'varchar'],
    ['creator_user_id', 'Creator', 'user'],
    ['user_id', 'Owner', 'user'],
    ['value', 'Value', 'monetary'],
    ['currency', 'Currency', 'varchar'],
    ['org_id', 'Organization', 'org'],
    ['person_id', 'Contact person', 'people'],
    ['pipeline', 'Pipeline', 'double'],
    ['stage_id', 'Stage', 'stage'],
    ['status', 'Status', 'status'],
    ['probability', 'Probability', 'double'],
    ['expected_close_date', 'Expected close date', 'date'],
    ['add_time', 'Deal created', 'date'],
    ['update_time', 'Update time', 'date'],
  ];
  const deals = system.map(([key, name, type], i) => field(12_450 + i, key, name, type, false));
  // The unrelated pre-existing custom field.
  deals.push(
    field(12_500, pipedriveFieldKey('deal', 12_500), 'Deal source', 'enum', true, [
      { id: 101, label: 'Inbound' },
      { id: 102, label: 'Outbound' },
    ]),
  );
  for (let i = 1; i <= fillers; i += 1) {
    const id = 12_600 + i;
    deals.push(field(id, pipedriveFieldKey('deal', id), `Legacy import ${i}`, 'varchar', true));
  }
  const persons = [
    field(9_001, 'name', 'Name', 'varchar', false),
    field(9_002, 'email', 'Email', 'varchar', false),
    field(9_003, 'owner_id', 'Owner', 'user', false),
  ];
  return { deal: deals, person: persons };
}

export function createPipedriveState(seed: Partial<PipedriveSeed> = {}): PipedriveState {
  const fillers = fillerUsers(seed.fillerUsers ?? 40);
  const fields = defaultFields(seed.fillerDealFields ?? 0);
  for (const entity of ['deal', 'person'] as const) {
    fields[entity].push(...structuredClone(seed.fields?.[entity] ?? []));
  }
  const allFields = [...fields.deal, ...fields.person];
  const allOptions = allFields.flatMap((f) => f.options ?? []);
  return {
    tokens: new Set(seed.tokens ?? []),
    tokenOwners: { ...seed.tokenOwners },
    defaultUserId: Number(actingPersonId(seed, undefined, String(fillers[0]?.id ?? 0))),
    oauthTokens: new Set(seed.oauthTokens ?? []),
    refreshTokens: new Set(seed.refreshTokens ?? []),
    oauthClients: structuredClone(seed.oauthClients ?? []),
    people: (seed.people ?? []).map((p) => ({ id: p.id, email: p.email, name: p.name })),
    accessTokenLifetimeSeconds: seed.accessTokenLifetimeSeconds ?? PIPEDRIVE_ACCESS_TOKEN_LIFETIME,
    users: [
      ...fillers,
      ...(seed.people ?? []).map((p) => user(Number(p.id), p.email, p.name, p.admin ?? false)),
      ...structuredClone(seed.users ?? []),
    ],
    fields,
    apiV2: seed.apiV2 ?? true,
    fieldsPaging: seed.fieldsPaging ?? 'nested',
    nextFieldId: Math.max(12_999, ...allFields.map((f) => f.id)) + 1,
    nextOptionId: Math.max(999, ...allOptions.map((o) => o.id)) + 1,
    requestCount: 0,
  };
}

// --- replies ---------------------------------------------------------------------------------

function errorBody(error: string, errorCode: number) {
  return {
    success: false,
    error,
    errorCode,
    error_info: ERROR_INFO,
    data: null,
    additional_data: null,
  };
}

function rateLimitHeaders(state: PipedriveState, write = false): Record<string, string> {
  return {
    'x-ratelimit-limit': String(RATE_LIMIT),
    'x-ratelimit-remaining': String(RATE_LIMIT - 1),
    'x-ratelimit-reset': '2',
    ...(write
      ? { 'x-daily-requests-left': String(Math.max(0, DAILY_BUDGET - state.requestCount)) }
      : {}),
  };
}

function pipedriveBehaviour(state: PipedriveState, authority: OAuthAuthority): VendorBehaviour {
  return {
    name: 'pipedrive',
    authenticate(request: EmulatorRequest, faults: FaultConfig): AuthResult {
      state.requestCount += 1;
      const header = request.headers['x-api-token'];
      const apiHeader = Array.isArray(header) ? header[0] : header;
      const queryToken = request.query.get('api_token');
      const authorization = request.headers.authorization;
      if (apiHeader === undefined && queryToken === null && authorization === undefined) {
        return 'missing';
      }
      let known: boolean;
      if (apiHeader !== undefined || queryToken !== null) {
        known = state.tokens.has(apiHeader ?? queryToken ?? '');
      } else {
        // Only Bearer, and only for OAuth access tokens: an API token sent as Bearer (or any
        // other scheme, e.g. Basic) is not accepted.
        const token = bearerToken(request.headers, 'Bearer');
        known = token !== undefined && state.oauthTokens.has(token);
        if (token !== undefined && !known) {
          const issued = authority.checkAccessToken(token);
          if (issued?.status === 'expired') return 'expired';
          known = issued?.status === 'ok';
        }
      }
      if (!known) return 'invalid';
      return faults.tokensExpired ? 'expired' : 'ok';
    },
    unauthorized(result): EmulatorReply {
      return {
        status: 401,
        body: errorBody(
          result === 'expired' ? 'Invalid token: access token has expired' : 'unauthorized access',
          401,
        ),
      };
    },
    rateLimited(retryAfter, faults): EmulatorReply {
      return {
        status: 429,
        headers: {
          ...rateLimitHeaders(state),
          'x-ratelimit-remaining': '0',
          // Seconds until the 2-second window resets.
          'x-ratelimit-reset': String(faults.retryAfterSeconds),
          ...(faults.rateLimitPolicy === 'DAILY' ? { 'x-daily-requests-left': '0' } : {}),
          ...(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }),
        },
        body: errorBody('Request over limit', 429),
      };
    },
    serverError(): EmulatorReply {
      return { status: 500, body: errorBody('Internal server error', 500) };
    },
    notFound(request): EmulatorReply {
      return { status: 404, body: errorBody(`Unknown method ${request.path}`, 404) };
    },
    badRequest(message): EmulatorReply {
      return { status: 400, body: errorBody(message, 400) };
    },
  };
}

// --- request bodies --------------------------------------------------------------------------

const FIELD_TYPES = [
  'address',
  'date',
  'daterange',
  'double',
  'enum',
  'monetary',
  'org',
  'people',
  'phone',
  'set',
  'text',
  'time',
  'timerange',
  'user',
  'varchar',
  'varchar_auto',
  'visible_to',
] as const;

const optionInput = z.object({ id: z.number().int().optional(), label: z.string().trim().min(1) });

const fieldCreate = z.object({
  name: z.string().trim().min(1).max(255),
  field_type: z.enum(FIELD_TYPES),
  options: z.array(optionInput).optional(),
  add_visible_flag: z.boolean().optional(),
});

const fieldUpdate = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  options: z.array(optionInput).optional(),
  add_visible_flag: z.boolean().optional(),
});

const optionsAdd = z.array(z.object({ label: z.string().trim().min(1) })).min(1);

function invalid(error: z.ZodError): EmulatorReply {
  const issue = error.issues[0];
  const where = issue?.path.join('.') ?? '';
  return {
    status: 400,
    body: errorBody(`Validation failed: ${where ? `${where}: ` : ''}${issue?.message ?? ''}`, 400),
  };
}

function duplicateLabel(options: { label: string }[]): string | undefined {
  const seen = new Set<string>();
  for (const option of options) {
    if (seen.has(option.label)) return option.label;
    seen.add(option.label);
  }
  return undefined;
}

// --- routes ----------------------------------------------------------------------------------

function oauthError(status: number, error: string, message: string): EmulatorReply {
  return { status, body: { success: false, message, error } };
}

function tokenReply(
  outcome: TokenOutcome,
  presentedRefreshToken: string | undefined,
  apiDomain: string,
): EmulatorReply {
  if (outcome.ok) {
    return {
      status: 200,
      body: {
        access_token: outcome.accessToken,
        token_type: 'Bearer',
        // The same refresh token on a refresh, unless the authority rotated it.
        refresh_token: outcome.refreshToken ?? presentedRefreshToken,
        scope: outcome.scopes.join(','),
        expires_in: outcome.expiresIn,
        api_domain: apiDomain,
      },
    };
  }
  switch (outcome.error) {
    case 'invalid_client':
      return oauthError(401, 'invalid_client', 'Invalid client credentials');
    case 'invalid_grant':
      return oauthError(400, 'invalid_grant', `Invalid grant: ${outcome.description}`);
    case 'redirect_uri_mismatch':
      return oauthError(400, 'invalid_grant', 'Invalid grant: redirect_uri does not match');
    case 'unsupported_grant_type':
      return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type');
    case 'invalid_request':
      return oauthError(400, 'invalid_request', outcome.description);
  }
}

function oauthRoutes(authority: OAuthAuthority): EmulatorRoute[] {
  return [
    ...authority.consentRoutes('/oauth/authorize', { impliedCode: true }),
    {
      method: 'POST',
      pattern: '/oauth/token',
      auth: false,
      handler: (request) => {
        // The app authenticates with Basic base64(client_id:client_secret); the grant is a form.
        const params = requestParams(request);
        const outcome = authority.token(params, clientCredentials(request, params));
        const presented =
          params.grant_type === 'refresh_token' ? (params.refresh_token ?? '') : undefined;
        // The company domain: the SDK and our connector put the API under `/api/v1`.
        return tokenReply(outcome, presented, `http://${request.headers.host ?? '127.0.0.1'}`);
      },
    },
  ];
}

function pipedriveRoutes(
  state: PipedriveState,
  faults: () => FaultConfig,
  authority: OAuthAuthority,
): EmulatorRoute[] {
  const ok = (data: unknown, status = 200, additional?: unknown): EmulatorReply => ({
    status,
    body: {
      success: true,
      data,
      ...(additional === undefined ? {} : { additional_data: additional }),
    },
    headers: rateLimitHeaders(state, status === 201),
  });
  const entityOf = (request: EmulatorRequest): PipedriveEntity | undefined =>
    ENTITY_PATHS[request.params.entity ?? ''];
  const unknownMethod = (request: EmulatorRequest): EmulatorReply => ({
    status: 404,
    body: errorBody(`Unknown method ${request.path}`, 404),
  });
  const fieldNotFound = (): EmulatorReply => ({
    status: 404,
    body: errorBody('Field not found', 404),
  });
  const noPermission = (): EmulatorReply => ({
    status: 403,
    body: errorBody('You do not have permissions to perform this action', 403),
  });
  const now = () => new Date().toISOString().replace('T', ' ').slice(0, 19);
  const activeFields = (entity: PipedriveEntity) =>
    state.fields[entity].filter((f) => f.active_flag);
  const isOptionType = (type: string) => type === 'enum' || type === 'set';

  return [
    {
      method: 'GET',
      pattern: '/api/v1/users/me',
      handler: (request) => {
        const header = request.headers['x-api-token'];
        const token =
          (Array.isArray(header) ? header[0] : header) ??
          request.query.get('api_token') ??
          bearerToken(request.headers, 'Bearer') ??
          '';
        const issued = authority.checkAccessToken(token);
        const owner = issued?.status === 'ok' ? issued.personId : state.tokenOwners[token];
        const id = owner === undefined ? state.defaultUserId : Number(owner);
        const me = state.users.find((u) => u.id === id);
        if (!me) return unknownMethod(request);
        return ok({
          ...me,
          company_id: 7_730_001,
          company_name: 'Acme',
          company_domain: 'acme',
          company_country: 'US',
          is_you: true,
        });
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/users',
      // Not paged: every user, active or not, in one reply.
      handler: () => ok(state.users),
    },
    {
      method: 'GET',
      pattern: '/api/v1/:entity',
      handler: (request) => {
        const entity = entityOf(request);
        if (!entity) return unknownMethod(request);
        const start = Number(request.query.get('start') ?? '0');
        const limit = Number(request.query.get('limit') ?? String(DEFAULT_LIMIT));
        if (!Number.isInteger(start) || start < 0) {
          return { status: 400, body: errorBody('Invalid start parameter', 400) };
        }
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
          return { status: 400, body: errorBody(`limit must be between 1 and ${MAX_LIMIT}`, 400) };
        }
        const fields = activeFields(entity);
        const page = fields.slice(start, start + limit);
        const more = start + limit < fields.length;
        if (state.fieldsPaging === 'flat') {
          return ok(page, 200, { start, limit, more_items_in_collection: more });
        }
        return ok(page, 200, {
          pagination: {
            start,
            limit,
            more_items_in_collection: more,
            ...(more ? { next_start: start + limit } : {}),
          },
        });
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/:entity/:id',
      handler: (request) => {
        const entity = entityOf(request);
        if (!entity) return unknownMethod(request);
        const found = activeFields(entity).find((f) => String(f.id) === request.params.id);
        return found ? ok(found) : fieldNotFound();
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/:entity',
      handler: (request) => {
        const entity = entityOf(request);
        if (!entity) return unknownMethod(request);
        if (faults().metadataNotPermitted) return noPermission();
        const parsed = fieldCreate.safeParse(request.body);
        if (!parsed.success) return invalid(parsed.error);
        const input = parsed.data;
        const options = input.options ?? [];
        if (isOptionType(input.field_type) && options.length === 0) {
          return { status: 400, body: errorBody('Options are required for this field type', 400) };
        }
        const duplicate = duplicateLabel(options);
        if (duplicate !== undefined) {
          return { status: 400, body: errorBody(`Duplicate option label: ${duplicate}`, 400) };
        }
        // Pipedrive allows two fields with the same name: no conflict check here.
        const id = state.nextFieldId++;
        const created = field(
          id,
          pipedriveFieldKey(entity, id),
          input.name,
          input.field_type,
          true,
          isOptionType(input.field_type)
            ? options.map((o) => ({ id: state.nextOptionId++, label: o.label }))
            : undefined,
        );
        created.order_nr = state.fields[entity].length;
        created.add_time = now();
        created.update_time = created.add_time;
        state.fields[entity].push(created);
        return ok(created, 201);
      },
    },
    {
      method: 'PUT',
      pattern: '/api/v1/:entity/:id',
      handler: (request) => {
        const entity = entityOf(request);
        if (!entity) return unknownMethod(request);
        const target = activeFields(entity).find((f) => String(f.id) === request.params.id);
        if (!target) return fieldNotFound();
        if (faults().metadataNotPermitted || !target.edit_flag) return noPermission();
        const parsed = fieldUpdate.safeParse(request.body);
        if (!parsed.success) return invalid(parsed.error);
        const input = parsed.data;
        if (input.options !== undefined) {
          if (!isOptionType(target.field_type)) {
            return { status: 400, body: errorBody('This field type has no options', 400) };
          }
          const current = new Map((target.options ?? []).map((o) => [o.id, o]));
          for (const o of input.options) {
            if (o.id !== undefined && !current.has(o.id)) {
              return { status: 400, body: errorBody(`Option with id ${o.id} not found`, 400) };
            }
          }
          const duplicate = duplicateLabel(input.options);
          if (duplicate !== undefined) {
            return { status: 400, body: errorBody(`Duplicate option label: ${duplicate}`, 400) };
          }
          // Every active option must be resent with its id: an option left out is removed.
          target.options = input.options.map((o) =>
            o.id === undefined
              ? { id: state.nextOptionId++, label: o.label }
              : { id: o.id, label: o.label },
          );
        }
        if (input.name !== undefined) target.name = input.name;
        if (input.add_visible_flag !== undefined) target.add_visible_flag = input.add_visible_flag;
        target.update_time = now();
        return ok(target);
      },
    },
    {
      method: 'POST',
      pattern: '/api/v2/:entity/:fieldCode/options',
      handler: (request) => {
        const entity = entityOf(request);
        if (!entity || !state.apiV2) return unknownMethod(request);
        const target = activeFields(entity).find((f) => f.key === request.params.fieldCode);
        if (!target) return fieldNotFound();
        if (faults().metadataNotPermitted || !target.edit_flag) return noPermission();
        if (!isOptionType(target.field_type)) {
          return { status: 400, body: errorBody('This field type has no options', 400) };
        }
        const parsed = optionsAdd.safeParse(request.body);
        if (!parsed.success) return invalid(parsed.error);
        const existing = target.options ?? [];
        const duplicate = duplicateLabel([...existing, ...parsed.data]);
        if (duplicate !== undefined) {
          return {
            status: 400,
            body: errorBody(`Option with label ${duplicate} already exists`, 400),
          };
        }
        // Atomic append: the existing options are untouched; only the new ones are returned.
        const added = parsed.data.map((o) => ({ id: state.nextOptionId++, label: o.label }));
        target.options = [...existing, ...added];
        target.update_time = now();
        return ok(added, 200, {});
      },
    },
  ];
}

/** A Pipedrive emulator whose in-memory state tests can read and arrange. */
export class PipedriveEmulator extends EmulatorServer {
  readonly state: PipedriveState;
  /** The authorization server's knobs (lifetime, rotation, expiry, revocation, grants). */
  readonly oauth: OAuthControl & OAuthAuthority;

  constructor(state: PipedriveState) {
    const authority = pipedriveAuthority(state);
    super(pipedriveBehaviour(state, authority), (faults) => {
      const routes = [...oauthRoutes(authority), ...pipedriveRoutes(state, faults, authority)];
      // v1 answers under both documented bases: https://api.pipedrive.com/v1 and
      // https://{company}.pipedrive.com/api/v1.
      const bare = routes
        .filter((r) => r.pattern.startsWith('/api/v1/'))
        .map((r) => ({ ...r, pattern: r.pattern.slice('/api'.length) }));
      return [...routes, ...bare];
    });
    this.state = state;
    this.oauth = authority;
  }

  /** The first active field with that name on the entity, if any. */
  field(name: string, entity: PipedriveEntity = 'deal'): PipedriveField | undefined {
    return this.state.fields[entity].find((f) => f.name === name && f.active_flag);
  }
}

function pipedriveAuthority(state: PipedriveState): OAuthAuthority {
  const authority = new OAuthAuthority({
    vendor: 'Pipedrive',
    clients: () => state.oauthClients,
    // The seeded people, else (a test without people) the first few active users.
    people: () =>
      state.people.length > 0
        ? state.people
        : state.users
            .filter((u) => u.active_flag)
            .slice(0, 5)
            .map((u) => ({ id: String(u.id), email: u.email, name: u.name })),
    accessTokenLifetimeSeconds: state.accessTokenLifetimeSeconds,
    defaultScopes: PIPEDRIVE_SCOPES,
    mintAccessToken: () => `v1u:${randomToken()}`,
  });
  for (const refresh of state.refreshTokens) {
    const owner = state.tokenOwners[refresh] ?? String(state.defaultUserId);
    authority.seedRefreshToken(refresh, owner, [...PIPEDRIVE_SCOPES]);
  }
  return authority;
}

function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

export function createPipedriveEmulator(seed?: Partial<PipedriveSeed>): PipedriveEmulator {
  return new PipedriveEmulator(createPipedriveState(seed));
}
