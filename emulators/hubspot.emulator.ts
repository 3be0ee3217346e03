import { randomUUID } from 'node:crypto';
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
import type {
  EmulatorAccounts,
  EmulatorOAuthClient,
  EmulatorPerson,
} from '#emulators/emulator-accounts.ts';
import {
  clientCredentials,
  OAuthAuthority,
  requestParams,
  type OAuthControl,
  type TokenOutcome,
} from '#emulators/oauth-server.ts';

/**
 * A loopback HubSpot: the CRM v3 owners and properties APIs and account-info, with HubSpot's
 * Bearer auth, cursor paging (`after`, `paging.next`), its error envelope
 * (`{status:"error", message, correlationId, category}`), 429 with `policyName` and the
 * `X-HubSpot-RateLimit-*` headers, and PATCH semantics where `options` replaces the whole list.
 * See shared/product/crm-api-notes.md §1. State is per instance.
 *
 * OAuth (the shared authorization server, emulators/oauth-server.ts, on HubSpot's paths):
 * - `GET /oauth/authorize?client_id&redirect_uri&scope&state` (app.hubspot.com in production;
 *   HubSpot's URL has no `response_type`, so the emulator supplies `code`) → the consent page,
 *   whose form POSTs back to `/oauth/authorize`.
 * - `POST /oauth/v1/token` (api.hubapi.com), a form with `client_id`, `client_secret`,
 *   `grant_type=authorization_code` (`code`, `redirect_uri`) or `refresh_token`
 *   (`refresh_token`) → `{token_type: "bearer", refresh_token, access_token, expires_in}`
 *   (1800 s by default). The refresh token does not rotate (HubSpot answers the same one) unless
 *   a test sets `oauth.rotateRefreshTokens`. Errors: 400 `{status: "BAD_AUTH_CODE" |
 *   "BAD_REFRESH_TOKEN" | "BAD_CLIENT_ID" | "BAD_CLIENT_SECRET" | "BAD_REDIRECT_URI" |
 *   "BAD_GRANT_TYPE", message, correlationId}` (the names beyond BAD_REFRESH_TOKEN are (mem)).
 * - `GET /oauth/v1/access-tokens/{token}` (no auth header) →
 *   `{token, user, hub_domain, scopes, hub_id, app_id, expires_in, user_id, token_type}` for an
 *   OAuth access token; 404 for any other token (private-app tokens have no token information),
 *   401 EXPIRED_AUTHENTICATION for an expired one (mem).
 * Issued access tokens are accepted as Bearer by every API route; an expired one answers 401
 * `EXPIRED_AUTHENTICATION`, a revoked one 401 `INVALID_AUTHENTICATION`.
 */

export interface HubSpotOwner {
  id: string;
  email: string;
  type: 'PERSON' | 'QUEUE';
  firstName: string;
  lastName: string;
  userId: number;
  userIdIncludingInactive: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  teams?: { id: string; name: string; primary: boolean }[];
}

export interface HubSpotOption {
  label: string;
  value: string;
  description?: string;
  displayOrder: number;
  hidden: boolean;
}

export interface HubSpotProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  displayOrder: number;
  hidden: boolean;
  formField: boolean;
  hasUniqueValue: boolean;
  calculated: boolean;
  externalOptions: boolean;
  options: HubSpotOption[];
  modificationMetadata: {
    archivable: boolean;
    readOnlyDefinition: boolean;
    readOnlyOptions?: boolean;
    readOnlyValue: boolean;
  };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  hubspotDefined?: boolean;
}

export type HubSpotObjectType = 'deals' | 'contacts';

export interface HubSpotSeed extends Pick<EmulatorAccounts, 'people' | 'tokens'> {
  /** OAuth apps the authorization server knows. */
  oauthClients: EmulatorOAuthClient[];
  /** `expires_in` of issued access tokens (default 1800, HubSpot's). */
  accessTokenLifetimeSeconds: number;
  /** Owners in HubSpot's own shape, added after the fillers and `people`. */
  owners: HubSpotOwner[];
  /** How many filler owners to seed (default 140, so a 100-per-page listing needs 2 pages). */
  fillerOwners: number;
  /** Properties added to the defaults, per object type. */
  properties: Partial<Record<HubSpotObjectType, HubSpotProperty[]>>;
  portalId: number;
}

export interface HubSpotState {
  tokens: Set<string>;
  /** Whom the consent page offers to sign in as (the seeded people). */
  people: EmulatorPerson[];
  oauthClients: EmulatorOAuthClient[];
  accessTokenLifetimeSeconds: number;
  owners: HubSpotOwner[];
  properties: Record<HubSpotObjectType, HubSpotProperty[]>;
  portalId: number;
  /** Requests answered so far (feeds the rate-limit headers). */
  requestCount: number;
}

const SEEDED_AT = '2024-03-04T09:30:00.000Z';
/** HubSpot OAuth access tokens: `expires_in` 1800 in HubSpot's examples. */
export const HUBSPOT_ACCESS_TOKEN_LIFETIME = 1800;
/** The emulated public app's id (`app_id` in token information). */
export const HUBSPOT_APP_ID = 3_141_592;
const DAILY_LIMIT = 250_000;
const SECONDLY_LIMIT = 19;

function splitName(name: string): { firstName: string; lastName: string } {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  return { firstName: first, lastName: rest.join(' ') };
}

function owner(id: string, email: string, name: string, userId: number): HubSpotOwner {
  return {
    id,
    email,
    type: 'PERSON',
    ...splitName(name),
    userId,
    userIdIncludingInactive: userId,
    createdAt: SEEDED_AT,
    updatedAt: SEEDED_AT,
    archived: false,
  };
}

function personOwners(people: readonly EmulatorPerson[]): HubSpotOwner[] {
  // userId is a different id space from the owner id (the notes warn against mixing them).
  return people.map((p, i) => owner(p.id, p.email, p.name, 9_100_001 + i));
}

/** Filler owners with ids below the seeded people's, so finding one of them pages. */
function fillerOwners(count: number): HubSpotOwner[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const o = owner(
      String(41_629_500 + n),
      `contractor${String(n).padStart(3, '0')}@acme-partners.test`,
      `Contractor ${String(n).padStart(3, '0')}`,
      9_000_000 + n,
    );
    // One archived filler: hidden from the default listing, like a deactivated user.
    return n === 7 ? { ...o, archived: true } : o;
  });
}

function builtIn(
  name: string,
  label: string,
  type: string,
  fieldType: string,
  displayOrder: number,
): HubSpotProperty {
  return {
    name,
    label,
    type,
    fieldType,
    groupName: 'dealinformation',
    description: '',
    displayOrder,
    hidden: false,
    formField: false,
    hasUniqueValue: false,
    calculated: false,
    externalOptions: false,
    options: [],
    modificationMetadata: {
      archivable: false,
      readOnlyDefinition: true,
      readOnlyValue: false,
    },
    createdAt: SEEDED_AT,
    updatedAt: SEEDED_AT,
    archived: false,
    hubspotDefined: true,
  };
}

function customProperty(
  name: string,
  label: string,
  groupName: string,
  options: { label: string; value: string }[],
): HubSpotProperty {
  return {
    name,
    label,
    type: 'enumeration',
    fieldType: 'select',
    groupName,
    description: '',
    displayOrder: -1,
    hidden: false,
    formField: false,
    hasUniqueValue: false,
    calculated: false,
    externalOptions: false,
    options: options.map((o, i) => ({ ...o, displayOrder: i, hidden: false })),
    modificationMetadata: {
      archivable: true,
      readOnlyDefinition: false,
      readOnlyOptions: false,
      readOnlyValue: false,
    },
    createdAt: SEEDED_AT,
    updatedAt: SEEDED_AT,
    archived: false,
  };
}

function defaultProperties(): Record<HubSpotObjectType, HubSpotProperty[]> {
  return {
    deals: [
      builtIn('dealname', 'Deal Name', 'string', 'text', 0),
      builtIn('amount', 'Amount', 'number', 'number', 1),
      builtIn('dealstage', 'Deal Stage', 'enumeration', 'radio', 2),
      builtIn('hubspot_owner_id', 'Deal owner', 'enumeration', 'select', 3),
      // The unrelated pre-existing custom field.
      customProperty('deal_source', 'Deal source', 'dealinformation', [
        { label: 'Inbound', value: 'inbound' },
        { label: 'Outbound', value: 'outbound' },
      ]),
    ],
    contacts: [
      { ...builtIn('email', 'Email', 'string', 'text', 0), groupName: 'contactinformation' },
    ],
  };
}

export function createHubSpotState(seed: Partial<HubSpotSeed> = {}): HubSpotState {
  const properties = defaultProperties();
  for (const objectType of ['deals', 'contacts'] as const) {
    properties[objectType].push(...structuredClone(seed.properties?.[objectType] ?? []));
  }
  return {
    tokens: new Set(seed.tokens ?? []),
    people: structuredClone(seed.people ?? []),
    oauthClients: structuredClone(seed.oauthClients ?? []),
    accessTokenLifetimeSeconds: seed.accessTokenLifetimeSeconds ?? HUBSPOT_ACCESS_TOKEN_LIFETIME,
    owners: [
      ...fillerOwners(seed.fillerOwners ?? 140),
      ...personOwners(seed.people ?? []),
      ...structuredClone(seed.owners ?? []),
    ].sort((a, b) => Number(a.id) - Number(b.id)),
    properties,
    portalId: seed.portalId ?? 24_681_357,
    requestCount: 0,
  };
}

// --- replies ---------------------------------------------------------------------------------

function errorBody(message: string, category: string, extra: Record<string, unknown> = {}) {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

function rateLimitHeaders(state: HubSpotState): Record<string, string> {
  return {
    'X-HubSpot-RateLimit-Daily': String(DAILY_LIMIT),
    'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, DAILY_LIMIT - state.requestCount)),
    'X-HubSpot-RateLimit-Secondly': String(SECONDLY_LIMIT),
    'X-HubSpot-RateLimit-Secondly-Remaining': String(SECONDLY_LIMIT - 1),
    'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
    'X-HubSpot-RateLimit-Max': '190',
    'X-HubSpot-RateLimit-Remaining': '189',
  };
}

function hubspotBehaviour(state: HubSpotState, authority: OAuthAuthority): VendorBehaviour {
  return {
    name: 'hubspot',
    authenticate(request: EmulatorRequest, faults: FaultConfig): AuthResult {
      state.requestCount += 1;
      if (request.headers.authorization === undefined) return 'missing';
      // Only `Bearer`: private-app and OAuth tokens alike; any other scheme is rejected.
      const token = bearerToken(request.headers, 'Bearer');
      if (token === undefined) return 'invalid';
      if (!state.tokens.has(token)) {
        const issued = authority.checkAccessToken(token);
        if (issued === undefined || issued.status === 'revoked') return 'invalid';
        if (issued.status === 'expired') return 'expired';
      }
      return faults.tokensExpired ? 'expired' : 'ok';
    },
    unauthorized(result): EmulatorReply {
      if (result === 'expired') {
        return {
          status: 401,
          body: errorBody(
            'The OAuth token used to make this call expired 1 hour(s) ago.',
            'EXPIRED_AUTHENTICATION',
          ),
        };
      }
      return {
        status: 401,
        body: errorBody(
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
          'INVALID_AUTHENTICATION',
        ),
      };
    },
    rateLimited(retryAfter, faults): EmulatorReply {
      const policyName = faults.rateLimitPolicy || 'SECONDLY';
      const daily = policyName === 'DAILY';
      return {
        status: 429,
        headers: {
          ...rateLimitHeaders(state),
          ...(daily
            ? { 'X-HubSpot-RateLimit-Daily-Remaining': '0' }
            : {
                'X-HubSpot-RateLimit-Secondly-Remaining': '0',
                'X-HubSpot-RateLimit-Remaining': '0',
              }),
          ...(retryAfter === undefined ? {} : { 'Retry-After': retryAfter }),
        },
        body: {
          status: 'error',
          message: daily
            ? 'You have reached your daily limit.'
            : policyName === 'TEN_SECONDLY_ROLLING'
              ? 'You have reached your ten_secondly_rolling limit.'
              : 'You have reached your secondly limit.',
          errorType: 'RATE_LIMIT',
          correlationId: randomUUID(),
          policyName,
        },
      };
    },
    serverError(): EmulatorReply {
      return { status: 500, body: errorBody('internal error', 'INTERNAL_ERROR') };
    },
    notFound(): EmulatorReply {
      return { status: 404, body: errorBody('Resource not found', 'OBJECT_NOT_FOUND') };
    },
    badRequest(message): EmulatorReply {
      return { status: 400, body: errorBody(message, 'VALIDATION_ERROR') };
    },
  };
}

// --- request bodies --------------------------------------------------------------------------

const optionInput = z.object({
  label: z.string().min(1),
  value: z.string().min(1),
  description: z.string().optional(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
});

const propertyCreate = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits or _'),
  label: z.string().min(1),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']),
  fieldType: z.enum([
    'textarea',
    'text',
    'date',
    'file',
    'number',
    'select',
    'radio',
    'checkbox',
    'booleancheckbox',
    'calculation_equation',
  ]),
  groupName: z.string().min(1),
  description: z.string().optional(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  hasUniqueValue: z.boolean().optional(),
  options: z.array(optionInput).optional(),
});

const propertyUpdate = z.object({
  label: z.string().min(1).optional(),
  groupName: z.string().min(1).optional(),
  description: z.string().optional(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  options: z.array(optionInput).optional(),
});

function validationError(error: z.ZodError): EmulatorReply {
  const issues = error.issues.map((issue) => ({
    message: issue.message,
    in: issue.path.join('.'),
    code: 'INVALID_INPUT',
  }));
  return {
    status: 400,
    body: errorBody(
      `Property values were not valid: ${issues.map((i) => `${i.in}: ${i.message}`).join('; ')}`,
      'VALIDATION_ERROR',
      { errors: issues },
    ),
  };
}

function normaliseOptions(options: z.infer<typeof optionInput>[]): HubSpotOption[] | string {
  const seen = new Set<string>();
  for (const option of options) {
    if (seen.has(option.value)) return `Duplicate option value: ${option.value}`;
    seen.add(option.value);
  }
  return options.map((o, i) => ({
    label: o.label,
    value: o.value,
    ...(o.description === undefined ? {} : { description: o.description }),
    displayOrder: o.displayOrder ?? i,
    hidden: o.hidden ?? false,
  }));
}

// --- routes ----------------------------------------------------------------------------------

const OBJECT_ALIASES: Record<string, HubSpotObjectType> = {
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
};

/** The v1 token endpoint's error body (`status` is HubSpot's code there, not "error"). */
function oauthError(code: string, message: string): EmulatorReply {
  return { status: 400, body: { status: code, message, correlationId: randomUUID() } };
}

function tokenReply(
  state: HubSpotState,
  outcome: TokenOutcome,
  presentedRefreshToken: string | undefined,
  clientId: string | undefined,
): EmulatorReply {
  if (outcome.ok) {
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        // HubSpot answers the refresh token on a refresh too: the same one, unless rotated.
        refresh_token: outcome.refreshToken ?? presentedRefreshToken,
        access_token: outcome.accessToken,
        expires_in: outcome.expiresIn,
      },
    };
  }
  switch (outcome.error) {
    case 'invalid_client':
      return state.oauthClients.some((c) => c.clientId === clientId)
        ? oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret')
        : oauthError('BAD_CLIENT_ID', 'missing or unknown client id');
    case 'redirect_uri_mismatch':
      return oauthError(
        'BAD_REDIRECT_URI',
        'redirect_uri does not match the authorization request',
      );
    case 'invalid_grant':
      return presentedRefreshToken === undefined
        ? oauthError('BAD_AUTH_CODE', 'missing or invalid auth code')
        : oauthError('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
    case 'unsupported_grant_type':
      return oauthError('BAD_GRANT_TYPE', 'grant_type must be authorization_code or refresh_token');
    case 'invalid_request':
      return oauthError('BAD_REQUEST', outcome.description);
  }
}

function oauthRoutes(state: HubSpotState, authority: OAuthAuthority): EmulatorRoute[] {
  return [
    ...authority.consentRoutes('/oauth/authorize', { impliedCode: true }),
    {
      method: 'POST',
      pattern: '/oauth/v1/token',
      auth: false,
      handler: (request) => {
        const params = requestParams(request);
        const client = clientCredentials(request, params);
        const outcome = authority.token(params, client);
        const presented =
          params.grant_type === 'refresh_token' ? (params.refresh_token ?? '') : undefined;
        return tokenReply(state, outcome, presented, client.clientId);
      },
    },
    {
      method: 'GET',
      pattern: '/oauth/v1/access-tokens/:token',
      auth: false,
      handler: (request) => {
        const token = request.params.token ?? '';
        const check = authority.checkAccessToken(token);
        if (check?.status === 'expired') {
          return {
            status: 401,
            body: errorBody(
              'The OAuth token used to make this call expired.',
              'EXPIRED_AUTHENTICATION',
            ),
          };
        }
        if (check === undefined || check.status === 'revoked') {
          // Private-app tokens (and unknown ones) have no OAuth token information.
          return { status: 404, body: errorBody('Access token not found', 'OBJECT_NOT_FOUND') };
        }
        const owner = state.owners.find((o) => o.id === check.personId);
        return {
          status: 200,
          body: {
            token,
            user: owner?.email ?? null,
            hub_domain: 'acme.hubspot.test',
            scopes: check.scopes,
            hub_id: state.portalId,
            app_id: HUBSPOT_APP_ID,
            expires_in: Math.max(0, Math.floor((check.expiresAt - Date.now()) / 1000)),
            user_id: owner?.userId ?? null,
            token_type: 'access',
          },
        };
      },
    },
  ];
}

function hubspotRoutes(state: HubSpotState, faults: () => FaultConfig): EmulatorRoute[] {
  const ok = (body: unknown, status = 200): EmulatorReply => ({
    status,
    body,
    headers: rateLimitHeaders(state),
  });
  const objectTypeOf = (request: EmulatorRequest): HubSpotObjectType | EmulatorReply => {
    const raw = request.params.objectType ?? '';
    return (
      OBJECT_ALIASES[raw.toLowerCase()] ?? {
        status: 400,
        body: errorBody(`Unable to infer object type from: ${raw}`, 'VALIDATION_ERROR'),
      }
    );
  };
  const missingScopes = (objectType: HubSpotObjectType): EmulatorReply => ({
    status: 403,
    body: errorBody(
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
      'MISSING_SCOPES',
      {
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: [`crm.schemas.${objectType}.write`] },
          },
        ],
      },
    ),
  });
  const propertyNotFound = (name: string, objectType: HubSpotObjectType): EmulatorReply => ({
    status: 404,
    body: errorBody(
      `Unable to find property ${name} for object type ${objectType}`,
      'OBJECT_NOT_FOUND',
    ),
  });
  const find = (objectType: HubSpotObjectType, name: string) =>
    state.properties[objectType].find((p) => p.name === name && !p.archived);

  return [
    {
      method: 'GET',
      pattern: '/account-info/v3/details',
      handler: () =>
        ok({
          portalId: state.portalId,
          accountType: 'STANDARD',
          timeZone: 'US/Eastern',
          companyCurrency: 'USD',
          additionalCurrencies: [],
          utcOffset: '-05:00',
          utcOffsetMilliseconds: -18_000_000,
          uiDomain: 'app.hubspot.com',
          dataHostingLocation: 'na1',
        }),
    },
    {
      method: 'GET',
      pattern: '/crm/v3/owners',
      handler: (request) => {
        const limitRaw = request.query.get('limit');
        const limit = limitRaw === null ? 100 : Number(limitRaw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
          return {
            status: 400,
            body: errorBody('limit must be between 1 and 500', 'VALIDATION_ERROR'),
          };
        }
        const after = Number(request.query.get('after') ?? '0');
        if (!Number.isInteger(after) || after < 0) {
          return { status: 400, body: errorBody('Invalid after cursor', 'VALIDATION_ERROR') };
        }
        const archived = request.query.get('archived') === 'true';
        const email = request.query.get('email')?.toLowerCase();
        const matching = state.owners.filter(
          (o) =>
            o.archived === archived && (email === undefined || o.email.toLowerCase() === email),
        );
        const results = matching.slice(after, after + limit);
        const next = after + limit;
        const host = request.headers.host ?? 'api.hubapi.com';
        return ok({
          results,
          ...(next < matching.length
            ? {
                paging: {
                  next: {
                    after: String(next),
                    link: `http://${host}/crm/v3/owners/?limit=${limit}&after=${next}`,
                  },
                },
              }
            : {}),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v3/owners/:ownerId',
      handler: (request) => {
        const found = state.owners.find((o) => o.id === request.params.ownerId);
        return found
          ? ok(found)
          : { status: 404, body: errorBody('Owner not found', 'OBJECT_NOT_FOUND') };
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v3/properties/:objectType',
      handler: (request) => {
        const objectType = objectTypeOf(request);
        if (typeof objectType !== 'string') return objectType;
        const archived = request.query.get('archived') === 'true';
        return ok({ results: state.properties[objectType].filter((p) => p.archived === archived) });
      },
    },
    {
      method: 'GET',
      pattern: '/crm/v3/properties/:objectType/:name',
      handler: (request) => {
        const objectType = objectTypeOf(request);
        if (typeof objectType !== 'string') return objectType;
        const name = request.params.name ?? '';
        const found = find(objectType, name);
        return found ? ok(found) : propertyNotFound(name, objectType);
      },
    },
    {
      method: 'POST',
      pattern: '/crm/v3/properties/:objectType',
      handler: (request) => {
        const objectType = objectTypeOf(request);
        if (typeof objectType !== 'string') return objectType;
        if (faults().metadataNotPermitted) return missingScopes(objectType);
        const parsed = propertyCreate.safeParse(request.body);
        if (!parsed.success) return validationError(parsed.error);
        const input = parsed.data;
        if (state.properties[objectType].some((p) => p.name === input.name)) {
          return {
            status: 409,
            body: errorBody(
              `Property named '${input.name}' already exists.`,
              'OBJECT_ALREADY_EXISTS',
            ),
          };
        }
        const options = normaliseOptions(input.options ?? []);
        if (typeof options === 'string') {
          return { status: 400, body: errorBody(options, 'VALIDATION_ERROR') };
        }
        if (input.type === 'enumeration' && options.length === 0) {
          return {
            status: 400,
            body: errorBody('Enumeration properties must have options', 'VALIDATION_ERROR'),
          };
        }
        const now = new Date().toISOString();
        const property: HubSpotProperty = {
          name: input.name,
          label: input.label,
          type: input.type,
          fieldType: input.fieldType,
          groupName: input.groupName,
          description: input.description ?? '',
          displayOrder: input.displayOrder ?? -1,
          hidden: input.hidden ?? false,
          formField: input.formField ?? false,
          hasUniqueValue: input.hasUniqueValue ?? false,
          calculated: false,
          externalOptions: false,
          options,
          modificationMetadata: {
            archivable: true,
            readOnlyDefinition: false,
            readOnlyOptions: false,
            readOnlyValue: false,
          },
          createdAt: now,
          updatedAt: now,
          archived: false,
        };
        state.properties[objectType].push(property);
        return ok(property, 201);
      },
    },
    {
      method: 'PATCH',
      pattern: '/crm/v3/properties/:objectType/:name',
      handler: (request) => {
        const objectType = objectTypeOf(request);
        if (typeof objectType !== 'string') return objectType;
        const name = request.params.name ?? '';
        const property = find(objectType, name);
        if (!property) return propertyNotFound(name, objectType);
        if (faults().metadataNotPermitted) return missingScopes(objectType);
        if (property.modificationMetadata.readOnlyDefinition) {
          return {
            status: 400,
            body: errorBody(
              `Property ${name} is HubSpot-defined and read-only`,
              'VALIDATION_ERROR',
            ),
          };
        }
        const parsed = propertyUpdate.safeParse(request.body);
        if (!parsed.success) return validationError(parsed.error);
        const input = parsed.data;
        if (input.options !== undefined) {
          // The options array REPLACES the whole list: omitted options are gone.
          const options = normaliseOptions(input.options);
          if (typeof options === 'string') {
            return { status: 400, body: errorBody(options, 'VALIDATION_ERROR') };
          }
          property.options = options;
        }
        if (input.label !== undefined) property.label = input.label;
        if (input.groupName !== undefined) property.groupName = input.groupName;
        if (input.description !== undefined) property.description = input.description;
        if (input.displayOrder !== undefined) property.displayOrder = input.displayOrder;
        if (input.hidden !== undefined) property.hidden = input.hidden;
        if (input.formField !== undefined) property.formField = input.formField;
        property.updatedAt = new Date().toISOString();
        return ok(property);
      },
    },
  ];
}

/** A HubSpot emulator whose in-memory state tests can read and arrange. */
export class HubSpotEmulator extends EmulatorServer {
  readonly state: HubSpotState;
  /** The authorization server's knobs (lifetime, rotation, expiry, revocation, grants). */
  readonly oauth: OAuthControl & OAuthAuthority;

  constructor(state: HubSpotState) {
    const authority = hubspotAuthority(state);
    super(hubspotBehaviour(state, authority), (faults) => [
      ...oauthRoutes(state, authority),
      ...hubspotRoutes(state, faults),
    ]);
    this.state = state;
    this.oauth = authority;
  }

  /** The deal (or contact) property with that name, if any. */
  property(name: string, objectType: HubSpotObjectType = 'deals'): HubSpotProperty | undefined {
    return this.state.properties[objectType].find((p) => p.name === name);
  }
}

function hubspotAuthority(state: HubSpotState): OAuthAuthority {
  return new OAuthAuthority({
    vendor: 'HubSpot',
    clients: () => state.oauthClients,
    // The seeded people, else (a test without people) the first few owners.
    people: () =>
      state.people.length > 0
        ? state.people
        : state.owners
            .filter((o) => !o.archived)
            .slice(0, 5)
            .map((o) => ({
              id: o.id,
              email: o.email,
              name: `${o.firstName} ${o.lastName}`.trim(),
            })),
    accessTokenLifetimeSeconds: state.accessTokenLifetimeSeconds,
    // HubSpot's scope parameter is space-separated.
    scopeSeparator: /\s+/,
    defaultScopes: ['oauth'],
  });
}

export function createHubSpotEmulator(seed?: Partial<HubSpotSeed>): HubSpotEmulator {
  return new HubSpotEmulator(createHubSpotState(seed));
}
