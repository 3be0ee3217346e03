import { randomBytes } from 'node:crypto';
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
 * A loopback Zoho CRM (shared/product/crm-api-notes.md §3): the v8 users and field-settings
 * APIs, the organization API (`GET /crm/v8/org`), and the accounts server on
 * emulators/oauth-server.ts: the consent page `GET|POST /oauth/v2/auth` (the callback carries
 * `code`, `state`, `location` and `accounts-server`, this emulator's own URL; no PKCE, mem) and
 * `POST /oauth/v2/token` (authorization code and refresh grants, parameters in the query, a form
 * or a multipart body; every error is HTTP 200 `{error}`: invalid_code, invalid_client,
 * invalid_client_secret, invalid_redirect_uri, unsupported_grant_type). Access tokens it issues
 * expire after `oauth.accessTokenLifetimeSeconds` (401 INVALID_TOKEN after that); seeded
 * refresh tokens are grants bound to no client. Auth: `Authorization: Zoho-oauthtoken <token>` (a
 * `Bearer` header is rejected with 401 INVALID_TOKEN), page/per_page paging with
 * `info.more_records` (204 No Content past the last page), the 4-key error shape
 * `{code, details, message, status:"error"}`, per-item results in bulk replies, and PATCH on a
 * field where a picklist entry without `id` is appended. State is per instance.
 */

export interface ZohoUser {
  id: string;
  email: string;
  full_name: string;
  first_name: string;
  last_name: string;
  status: 'active' | 'disabled' | 'deleted';
  confirm: boolean;
  role: { id: string; name: string };
  profile: { id: string; name: string };
  time_zone: string;
  created_time: string;
}

export interface ZohoPickListValue {
  id: string;
  display_value: string;
  actual_value: string;
  reference_value: string;
  sequence_number: number;
  type: 'used' | 'unused';
}

export interface ZohoField {
  id: string;
  api_name: string;
  field_label: string;
  display_label: string;
  data_type: string;
  custom_field: boolean;
  visible: boolean;
  read_only: boolean;
  pick_list_values: ZohoPickListValue[];
  created_source: string;
}

export type ZohoModule = 'Deals' | 'Contacts';

export interface ZohoSeed extends EmulatorAccounts {
  /** Users in Zoho's own shape, added after the fillers and `people`. */
  users: ZohoUser[];
  /** How many filler users to seed (default 230, so a 200-per-page listing needs 2 pages). */
  fillerUsers: number;
  /** Fields added to the defaults, per module. */
  fields: Partial<Record<ZohoModule, ZohoField[]>>;
  /** api_names of deleted fields, which Zoho does not hand out again (a new field gets `…1`). */
  retiredApiNames: string[];
  /** `expires_in` of the access tokens the token endpoint issues (Zoho: one hour). */
  accessTokenLifetimeSeconds: number;
  /** The `location` the callback names (Zoho: us, eu, in, au, jp, cn, sa, ca; default us). */
  location: string;
}

export interface ZohoState {
  tokens: Set<string>;
  /** Token → the user id it acts as (`type=CurrentUser`); default the first seeded person. */
  tokenOwners: Record<string, string>;
  /** Who a token without an owner acts as. */
  defaultUserId: string;
  /** OAuth apps the accounts server knows (the seed's, and `addOAuthClient`). */
  oauthClients: EmulatorOAuthClient[];
  /**
   * The accounts server: its access tokens expire (`accessTokenLifetimeSeconds`) and are
   * revocable; they are also in `tokens` and `tokenOwners` once issued. Seeded tokens do not expire.
   */
  oauth: OAuthAuthority;
  location: string;
  users: ZohoUser[];
  fields: Record<ZohoModule, ZohoField[]>;
  retiredApiNames: Set<string>;
  /** Next id handed out for a field or picklist value. */
  nextId: bigint;
  /** Credits used so far (feeds the rate-limit headers). */
  requestCount: number;
}

const SEEDED_AT = '2024-03-04T09:30:00+00:00';
const MAX_PER_PAGE = 200;
const DAILY_CREDITS = 50_000;
const ID_PREFIX = '4876876000000';
const ROLE_CEO = { id: `${ID_PREFIX}026005`, name: 'CEO' };
const ROLE_REP = { id: `${ID_PREFIX}026008`, name: 'Sales Rep' };
const PROFILE_ADMIN = { id: `${ID_PREFIX}026011`, name: 'Administrator' };
const PROFILE_STANDARD = { id: `${ID_PREFIX}026014`, name: 'Standard' };

function splitName(name: string): { first_name: string; last_name: string } {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  return { first_name: first, last_name: rest.join(' ') };
}

function user(id: string, email: string, name: string, admin = false): ZohoUser {
  return {
    id,
    email,
    full_name: name,
    ...splitName(name),
    status: 'active',
    confirm: true,
    role: admin ? ROLE_CEO : ROLE_REP,
    profile: admin ? PROFILE_ADMIN : PROFILE_STANDARD,
    time_zone: 'America/New_York',
    created_time: SEEDED_AT,
  };
}

/** Filler users listed before the seeded people, so finding one of them pages. */
function fillerUsers(count: number): ZohoUser[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const u = user(`${ID_PREFIX}31${n}`, `contractor${n}@acme-partners.test`, `Contractor ${n}`);
    // One deactivated filler: hidden from type=ActiveUsers, like a real disabled user.
    return i === 6 ? { ...u, status: 'disabled' as const } : u;
  });
}

function systemField(id: string, apiName: string, label: string, dataType: string): ZohoField {
  return {
    id: `${ID_PREFIX}${id}`,
    api_name: apiName,
    field_label: label,
    display_label: label,
    data_type: dataType,
    custom_field: false,
    visible: true,
    read_only: false,
    pick_list_values: [],
    created_source: 'default',
  };
}

function pickListValues(
  values: { display_value: string; actual_value: string }[],
  firstId: number,
): ZohoPickListValue[] {
  return [{ display_value: '-None-', actual_value: '-None-' }, ...values].map((v, i) => ({
    id: `${ID_PREFIX}${firstId + i}`,
    display_value: v.display_value,
    actual_value: v.actual_value,
    reference_value: v.display_value,
    sequence_number: i + 1,
    type: 'used',
  }));
}

function defaultFields(): Record<ZohoModule, ZohoField[]> {
  const stage = systemField('002565', 'Stage', 'Stage', 'picklist');
  stage.pick_list_values = pickListValues(
    ['Qualification', 'Needs Analysis', 'Closed Won', 'Closed Lost'].map((s) => ({
      display_value: s,
      actual_value: s,
    })),
    2_700,
  );
  return {
    Deals: [
      systemField('002555', 'Owner', 'Deal Owner', 'ownerlookup'),
      systemField('002557', 'Deal_Name', 'Deal Name', 'text'),
      systemField('002559', 'Amount', 'Amount', 'currency'),
      stage,
      // The unrelated pre-existing custom field.
      {
        ...systemField('412001', 'Deal_Source', 'Deal Source', 'picklist'),
        custom_field: true,
        created_source: 'crm',
        pick_list_values: pickListValues(
          [
            { display_value: 'Inbound', actual_value: 'Inbound' },
            { display_value: 'Outbound', actual_value: 'Outbound' },
          ],
          412_010,
        ),
      },
    ],
    Contacts: [
      systemField('002301', 'Owner', 'Contact Owner', 'ownerlookup'),
      systemField('002303', 'Email', 'Email', 'email'),
    ],
  };
}

export function createZohoState(seed: Partial<ZohoSeed> = {}): ZohoState {
  const fillers = fillerUsers(seed.fillerUsers ?? 230);
  const fields = defaultFields();
  for (const module of ['Deals', 'Contacts'] as const) {
    fields[module].push(...structuredClone(seed.fields?.[module] ?? []));
  }
  const users = [
    ...fillers,
    ...(seed.people ?? []).map((p) => user(p.id, p.email, p.name, p.admin ?? false)),
    ...structuredClone(seed.users ?? []),
  ];
  const defaultUserId = actingPersonId(seed, undefined, fillers[0]?.id ?? '');
  const oauthClients = structuredClone(seed.oauthClients ?? []);
  const zohoToken = () =>
    `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
  const oauth = new OAuthAuthority({
    vendor: 'Zoho CRM',
    clients: () => oauthClients,
    people: () => {
      const seeded = (seed.people ?? []).map((p) => ({ id: p.id, name: p.name, email: p.email }));
      if (seeded.length > 0) return seeded;
      return users.slice(0, 5).map((u) => ({ id: u.id, name: u.full_name, email: u.email }));
    },
    accessTokenLifetimeSeconds: seed.accessTokenLifetimeSeconds ?? 3600,
    // Zoho lists scopes comma-separated in the authorize request.
    scopeSeparator: ',',
    defaultScopes: ['ZohoCRM.users.READ', 'ZohoCRM.settings.fields.ALL', 'ZohoCRM.org.READ'],
    // Whether Zoho's accounts server takes a PKCE challenge is not documented where we looked (mem).
    pkce: false,
    mintAccessToken: zohoToken,
    mintRefreshToken: zohoToken,
    mintCode: zohoToken,
  });
  const tokenOwners = { ...seed.tokenOwners };
  for (const token of seed.refreshTokens ?? []) {
    oauth.seedRefreshToken(token, tokenOwners[token] ?? defaultUserId, [
      'ZohoCRM.users.READ',
      'ZohoCRM.settings.fields.ALL',
      'ZohoCRM.org.READ',
    ]);
  }
  return {
    tokens: new Set(seed.tokens ?? []),
    oauthClients,
    oauth,
    location: seed.location ?? 'us',
    tokenOwners,
    defaultUserId,
    users,
    fields,
    retiredApiNames: new Set(seed.retiredApiNames ?? []),
    nextId: BigInt(`${ID_PREFIX}900001`),
    requestCount: 0,
  };
}

/**
 * The emulator's stand-in for how Zoho names a new custom field (mem: the label with spaces as
 * `_` and other punctuation dropped, a number appended while the name is taken or retired). The
 * adapter never repeats this rule: it reads the api_name Zoho lists.
 */
function newApiName(label: string, taken: (name: string) => boolean): string {
  const base = label
    .trim()
    .replace(/[^A-Za-z0-9 _]/g, '')
    .replace(/\s+/g, '_');
  let name = base;
  for (let n = 1; taken(name); n += 1) name = `${base}${n}`;
  return name;
}

// --- replies ---------------------------------------------------------------------------------

function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { code, details, message, status: 'error' };
}

function rateLimitHeaders(state: ZohoState): Record<string, string> {
  return {
    'X-RATELIMIT-LIMIT': String(DAILY_CREDITS),
    'X-RATELIMIT-REMAINING': String(Math.max(0, DAILY_CREDITS - state.requestCount)),
    'X-RATELIMIT-RESET': String(Date.now() + 86_400_000),
  };
}

function baseUrlOf(request: EmulatorRequest): string {
  return `http://${request.headers.host ?? '127.0.0.1'}`;
}

/**
 * The token endpoint's reply, always HTTP 200: `{access_token, refresh_token?, scope, api_domain,
 * token_type, expires_in}` (a refresh carries `refresh_token` only when rotation is on), or
 * `{error}`. An issued token joins `tokens` and acts as the grant's person.
 */
function tokenReply(
  state: ZohoState,
  request: EmulatorRequest,
  params: Record<string, string>,
  outcome: TokenOutcome,
): EmulatorReply {
  if (!outcome.ok) {
    const known = state.oauthClients.some((c) => c.clientId === params.client_id);
    const error =
      outcome.error === 'invalid_client'
        ? known
          ? 'invalid_client_secret'
          : 'invalid_client'
        : outcome.error === 'redirect_uri_mismatch'
          ? 'invalid_redirect_uri'
          : outcome.error === 'invalid_grant'
            ? 'invalid_code'
            : outcome.error;
    return { status: 200, body: { error } };
  }
  state.tokens.add(outcome.accessToken);
  state.tokenOwners[outcome.accessToken] = outcome.personId;
  return {
    status: 200,
    body: {
      access_token: outcome.accessToken,
      ...(outcome.refreshToken === undefined ? {} : { refresh_token: outcome.refreshToken }),
      scope: outcome.scopes.join(' '),
      api_domain: baseUrlOf(request),
      token_type: 'Bearer',
      expires_in: outcome.expiresIn,
    },
  };
}

function zohoBehaviour(state: ZohoState): VendorBehaviour {
  return {
    name: 'zoho',
    authenticate(request: EmulatorRequest, faults: FaultConfig): AuthResult {
      state.requestCount += 1;
      if (request.headers.authorization === undefined) return 'missing';
      // Only `Zoho-oauthtoken`; `Bearer <same token>` is rejected like an unknown token.
      const token = bearerToken(request.headers, 'Zoho-oauthtoken');
      if (token === undefined) return 'invalid';
      const issued = state.oauth.checkAccessToken(token);
      // A revoked token is unknown to Zoho; an expired one is answered alike (INVALID_TOKEN).
      if (issued?.status === 'revoked') return 'invalid';
      if (issued?.status === 'expired') return 'expired';
      if (issued === undefined && !state.tokens.has(token)) return 'invalid';
      return faults.tokensExpired ? 'expired' : 'ok';
    },
    unauthorized(result): EmulatorReply {
      if (result === 'missing') {
        return { status: 401, body: errorBody('AUTHENTICATION_FAILURE', 'Authentication failed') };
      }
      // Zoho answers INVALID_TOKEN "invalid oauth token" for an expired access token too.
      return { status: 401, body: errorBody('INVALID_TOKEN', 'invalid oauth token') };
    },
    rateLimited(retryAfter, faults): EmulatorReply {
      return {
        status: 429,
        headers: {
          ...rateLimitHeaders(state),
          'X-RATELIMIT-REMAINING': '0',
          // When the window resets, in epoch milliseconds (mem: Zoho's format is unconfirmed).
          'X-RATELIMIT-RESET': String(Date.now() + faults.retryAfterSeconds * 1000),
          ...(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }),
        },
        body: errorBody(
          'TOO_MANY_REQUESTS',
          'You have exceeded the maximum number of API calls allowed for the given time period.',
        ),
      };
    },
    serverError(): EmulatorReply {
      return { status: 500, body: errorBody('INTERNAL_ERROR', 'Internal Server Error') };
    },
    notFound(): EmulatorReply {
      return {
        status: 404,
        body: errorBody(
          'INVALID_URL_PATTERN',
          'Please check if the URL trying to access is a correct one',
        ),
      };
    },
    badRequest(message): EmulatorReply {
      return { status: 400, body: errorBody('INVALID_DATA', message) };
    },
  };
}

// --- request bodies --------------------------------------------------------------------------

const pickListInput = z.object({
  id: z.string().optional(),
  display_value: z.string().min(1).optional(),
  actual_value: z.string().min(1).optional(),
  sequence_number: z.number().int().optional(),
});

const fieldCreate = z.object({
  fields: z
    .array(
      z.object({
        field_label: z.string().min(1).max(50),
        data_type: z.enum(['picklist', 'text', 'textarea', 'integer', 'boolean', 'date']),
        pick_list_values: z.array(pickListInput).optional(),
        profiles: z
          .array(z.object({ id: z.string(), permission_type: z.enum(['read_write', 'read_only']) }))
          .optional(),
      }),
    )
    .min(1)
    .max(5),
});

const fieldUpdate = z.object({
  fields: z
    .array(
      z.object({
        id: z.string().optional(),
        field_label: z.string().min(1).max(50).optional(),
        pick_list_values: z.array(pickListInput).optional(),
      }),
    )
    .min(1)
    .max(5),
});

function invalidData(error: z.ZodError): EmulatorReply {
  const issue = error.issues[0];
  return {
    status: 400,
    body: errorBody('INVALID_DATA', 'invalid data', {
      api_name: issue?.path.join('.') ?? '',
      expected_data_type: issue?.message ?? '',
    }),
  };
}

// --- routes ----------------------------------------------------------------------------------

function zohoRoutes(state: ZohoState, faults: () => FaultConfig): EmulatorRoute[] {
  const ok = (body: unknown, status = 200): EmulatorReply => ({
    status,
    body,
    headers: rateLimitHeaders(state),
  });
  const newId = (): string => {
    state.nextId += 1n;
    return state.nextId.toString();
  };
  const moduleOf = (request: EmulatorRequest): ZohoModule | EmulatorReply => {
    const raw = request.query.get('module');
    if (raw === null) {
      return {
        status: 400,
        body: errorBody('REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
          param: 'module',
        }),
      };
    }
    const found = (['Deals', 'Contacts'] as const).find(
      (m) => m.toLowerCase() === raw.toLowerCase(),
    );
    return (
      found ?? {
        status: 400,
        body: errorBody('INVALID_MODULE', 'the module name given seems to be invalid', {
          resource_path_index: 0,
        }),
      }
    );
  };
  const noPermission = (): EmulatorReply => ({
    status: 403,
    body: errorBody('NO_PERMISSION', 'permission denied', {
      permissions: ['Crm_Implied_Customize_Zoho_CRM'],
    }),
  });
  const itemError = (code: string, message: string, details: Record<string, unknown> = {}) => ({
    status: 400,
    body: { fields: [errorBody(code, message, details)] },
  });
  /** Appends entries without id; edits entries with an id; rejects a duplicate actual_value. */
  const applyPickList = (
    field: ZohoField,
    entries: z.infer<typeof pickListInput>[],
  ): EmulatorReply | undefined => {
    const next = structuredClone(field.pick_list_values);
    for (const entry of entries) {
      if (entry.id !== undefined) {
        const existing = next.find((v) => v.id === entry.id);
        if (!existing) {
          return itemError('INVALID_DATA', 'invalid data', { api_name: 'pick_list_values.id' });
        }
        if (entry.display_value !== undefined) existing.display_value = entry.display_value;
        if (entry.actual_value !== undefined) existing.actual_value = entry.actual_value;
        if (entry.sequence_number !== undefined) existing.sequence_number = entry.sequence_number;
        continue;
      }
      if (entry.display_value === undefined) {
        return itemError('MANDATORY_NOT_FOUND', 'required field not found', {
          api_name: 'display_value',
        });
      }
      const actual = entry.actual_value ?? entry.display_value;
      next.push({
        id: newId(),
        display_value: entry.display_value,
        actual_value: actual,
        reference_value: entry.display_value,
        sequence_number: entry.sequence_number ?? next.length + 1,
        type: 'used',
      });
    }
    const seen = new Set<string>();
    for (const v of next) {
      if (seen.has(v.actual_value)) {
        return itemError('DUPLICATE_DATA', 'duplicate data', {
          api_name: 'pick_list_values',
          actual_value: v.actual_value,
        });
      }
      seen.add(v.actual_value);
    }
    field.pick_list_values = next;
    return undefined;
  };

  return [
    // The accounts server's consent page; its callback names the user's data centre and its
    // accounts server.
    ...state.oauth.consentRoutes('/oauth/v2/auth', {
      decideOptions: (request) => ({
        extraParams: { location: state.location, 'accounts-server': baseUrlOf(request) },
      }),
    }),
    {
      method: 'POST',
      pattern: '/oauth/v2/token',
      auth: false,
      handler: (request) => {
        // Zoho's accounts server answers 200 with an `error` member for a bad grant.
        const params = requestParams(request);
        const outcome = state.oauth.token(params, clientCredentials(request, params));
        return tokenReply(state, request, params, outcome);
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v8/users',
      handler: (request) => {
        const type = request.query.get('type') ?? 'AllUsers';
        let users: ZohoUser[];
        if (type === 'CurrentUser') {
          const token = bearerToken(request.headers, 'Zoho-oauthtoken') ?? '';
          const issued = state.oauth.checkAccessToken(token);
          const id =
            issued?.status === 'ok'
              ? issued.personId
              : (state.tokenOwners[token] ?? state.defaultUserId);
          users = state.users.filter((u) => u.id === id);
        } else if (type === 'ActiveUsers') {
          users = state.users.filter((u) => u.status === 'active');
        } else if (type === 'AllUsers') {
          users = state.users;
        } else {
          return {
            status: 400,
            body: errorBody('INVALID_DATA', 'the given type is not supported', { param: 'type' }),
          };
        }
        const page = Number(request.query.get('page') ?? '1');
        const perPage = Number(request.query.get('per_page') ?? String(MAX_PER_PAGE));
        if (!Number.isInteger(page) || page < 1) {
          return {
            status: 400,
            body: errorBody('INVALID_DATA', 'invalid data', { param: 'page' }),
          };
        }
        if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
          return {
            status: 400,
            body: errorBody('INVALID_DATA', 'invalid data', {
              param: 'per_page',
              maximum_length: MAX_PER_PAGE,
            }),
          };
        }
        const slice = users.slice((page - 1) * perPage, page * perPage);
        // Zoho answers 204 No Content (no body) when a page holds no records.
        if (slice.length === 0) return { status: 204, headers: rateLimitHeaders(state) };
        return ok({
          users: slice,
          info: {
            per_page: perPage,
            count: slice.length,
            page,
            more_records: page * perPage < users.length,
          },
        });
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v8/org',
      // The organization API ({api-domain}/crm/{version}/org, scope ZohoCRM.org.READ): one org.
      // The SDK reads `zgid` from it for its user signature after every token grant.
      handler: (request) => {
        // A token the accounts server issued without the org scope is refused (mem: Zoho's
        // 401 OAUTH_SCOPE_MISMATCH); seeded tokens may read everything.
        const issued = state.oauth.checkAccessToken(
          bearerToken(request.headers, 'Zoho-oauthtoken') ?? '',
        );
        if (
          issued?.status === 'ok' &&
          !issued.scopes.some((scope) => /^ZohoCRM\.(org\.(READ|ALL)|ALL)$/i.test(scope))
        ) {
          return {
            status: 401,
            body: errorBody('OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL'),
          };
        }
        const primary = state.users.find((u) => u.id === state.defaultUserId);
        return ok({
          org: [
            {
              id: `${ID_PREFIX}021001`,
              company_name: 'Acme',
              domain_name: 'org70001234',
              primary_email: primary?.email ?? null,
              primary_zuid: '70001235',
              zgid: '70001234',
              country: null,
              country_code: 'US',
              city: null,
              street: null,
              state: null,
              zip: null,
              phone: null,
              mobile: null,
              fax: null,
              website: null,
              description: null,
              alias: null,
              employee_count: '250',
              currency: 'US Dollar',
              currency_symbol: '$',
              currency_locale: 'en_US',
              iso_code: 'USD',
              time_zone: 'America/New_York',
              mc_status: false,
              gapps_enabled: false,
              translation_enabled: false,
              privacy_settings: false,
              photo_id: null,
              zia_portal_id: null,
              license_details: {
                paid_expiry: null,
                users_license_purchased: 300,
                trial_type: null,
                trial_expiry: null,
                paid: true,
                paid_type: 'enterprise',
              },
            },
          ],
        });
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v8/settings/fields',
      handler: (request) => {
        const module = moduleOf(request);
        if (typeof module !== 'string') return module;
        return ok({ fields: state.fields[module] });
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v8/settings/fields/:id',
      handler: (request) => {
        const module = moduleOf(request);
        if (typeof module !== 'string') return module;
        const field = state.fields[module].find((f) => f.id === request.params.id);
        if (!field) {
          return {
            status: 400,
            body: errorBody('INVALID_DATA', 'invalid data', { id: request.params.id }),
          };
        }
        return ok({ fields: [field] });
      },
    },
    {
      method: 'POST',
      pattern: '/crm/v8/settings/fields',
      handler: (request) => {
        const module = moduleOf(request);
        if (typeof module !== 'string') return module;
        if (faults().metadataNotPermitted) return noPermission();
        const parsed = fieldCreate.safeParse(request.body);
        if (!parsed.success) return invalidData(parsed.error);
        const results: unknown[] = [];
        let failures = 0;
        for (const input of parsed.data.fields) {
          const apiName = newApiName(
            input.field_label,
            (name) =>
              state.retiredApiNames.has(name) ||
              state.fields[module].some((f) => f.api_name === name),
          );
          if (state.fields[module].some((f) => f.field_label === input.field_label)) {
            failures += 1;
            results.push(errorBody('DUPLICATE_DATA', 'duplicate data', { api_name: apiName }));
            continue;
          }
          if (input.data_type === 'picklist' && (input.pick_list_values ?? []).length === 0) {
            failures += 1;
            results.push(
              errorBody('MANDATORY_NOT_FOUND', 'required field not found', {
                api_name: 'pick_list_values',
              }),
            );
            continue;
          }
          const field: ZohoField = {
            id: newId(),
            api_name: apiName,
            field_label: input.field_label,
            display_label: input.field_label,
            data_type: input.data_type,
            custom_field: true,
            visible: true,
            read_only: false,
            pick_list_values: [],
            created_source: 'crm',
          };
          if (input.data_type === 'picklist') {
            // Zoho puts its "-None-" entry first in every picklist.
            const withNone = [
              { display_value: '-None-', actual_value: '-None-' },
              ...(input.pick_list_values ?? []),
            ];
            const rejected = applyPickList(
              field,
              withNone.map((v) => ({ ...v, id: undefined })),
            );
            if (rejected) {
              failures += 1;
              const body = rejected.body as { fields: unknown[] };
              results.push(body.fields[0]);
              continue;
            }
          }
          state.fields[module].push(field);
          results.push({
            code: 'SUCCESS',
            details: { id: field.id },
            message: 'field created',
            status: 'success',
          });
        }
        // All failed: 400; some failed: 207 Multi-Status; all created: 201.
        const created = results.length - failures;
        return ok({ fields: results }, created === 0 ? 400 : failures > 0 ? 207 : 201);
      },
    },
    {
      method: 'PATCH',
      pattern: '/crm/v8/settings/fields/:id',
      handler: (request) => {
        const module = moduleOf(request);
        if (typeof module !== 'string') return module;
        const field = state.fields[module].find((f) => f.id === request.params.id);
        if (!field) {
          return itemError('INVALID_DATA', 'invalid data', {
            api_name: 'id',
            id: request.params.id,
          });
        }
        if (faults().metadataNotPermitted) return noPermission();
        const parsed = fieldUpdate.safeParse(request.body);
        if (!parsed.success) return invalidData(parsed.error);
        const input = parsed.data.fields[0];
        if (input === undefined) return itemError('INVALID_DATA', 'invalid data');
        if (input.pick_list_values !== undefined) {
          if (field.data_type !== 'picklist') {
            return itemError('INVALID_DATA', 'invalid data', { api_name: 'pick_list_values' });
          }
          const rejected = applyPickList(field, input.pick_list_values);
          if (rejected) return rejected;
        }
        if (input.field_label !== undefined) {
          field.field_label = input.field_label;
          field.display_label = input.field_label;
        }
        return ok({
          fields: [
            {
              code: 'SUCCESS',
              details: { id: field.id },
              message: 'field updated',
              status: 'success',
            },
          ],
        });
      },
    },
  ];
}

/** A Zoho CRM emulator whose in-memory state tests can read and arrange. */
export class ZohoEmulator extends EmulatorServer {
  readonly state: ZohoState;

  constructor(state: ZohoState) {
    super(zohoBehaviour(state), (faults) => zohoRoutes(state, faults));
    this.state = state;
  }

  /** The accounts server's knobs (lifetime, rotation, expire, revoke, token requests). */
  get oauth(): OAuthControl {
    return this.state.oauth;
  }

  /** Registers an OAuth app with the accounts server. */
  addOAuthClient(client: EmulatorOAuthClient): void {
    this.state.oauthClients.push(client);
  }

  /** The field with that api_name in the module, if any. */
  field(apiName: string, module: ZohoModule = 'Deals'): ZohoField | undefined {
    return this.state.fields[module].find((f) => f.api_name === apiName);
  }
}

export function createZohoEmulator(seed?: Partial<ZohoSeed>): ZohoEmulator {
  return new ZohoEmulator(createZohoState(seed));
}
