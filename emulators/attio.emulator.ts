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
 * A loopback Attio (REST API v2): `/v2/self`, workspace members, object attributes and their
 * select options (archive / un-archive), with Attio's Bearer auth, its error envelope
 * `{status_code, type, code, message}`, and 429 whose `Retry-After` is an HTTP date (never
 * seconds). See shared/product/crm-api-notes.md §4. State is per instance.
 *
 * OAuth (the shared authorization server, emulators/oauth-server.ts, on Attio's paths; the host is
 * https://app.attio.com in production, the API https://api.attio.com):
 * - `GET /authorize?client_id&response_type=code&redirect_uri&state` → the consent page, whose
 *   form POSTs back to `/authorize` (docs.attio.com/docs/oauth/authorize).
 * - `POST /oauth/token`, form `grant_type=authorization_code, code, client_id, client_secret`
 *   (and `redirect_uri`) → `{access_token, token_type: "Bearer"}` (docs.attio.com/docs/oauth/token:
 *   no refresh token, no `expires_in`). The refresh grant is refused (400
 *   `unsupported_grant_type`). Error bodies are RFC 6749's `{error, error_description}` (mem).
 * - Issued tokens do not expire (mem: Attio documents no expiry) unless a test sets a finite
 *   `accessTokenLifetimeSeconds`; `GET /v2/self` with one reports its grant: `scope` (the app's
 *   scopes, space-separated), `client_id`, `authorized_by_workspace_member_id` (the person who
 *   allowed it), `exp` null (or the expiry in seconds when finite). An expired or revoked token
 *   answers the 401 `auth_error`.
 */

export type AttioAccessLevel = 'admin' | 'member' | 'suspended';

export interface AttioMember {
  id: { workspace_id: string; workspace_member_id: string };
  first_name: string;
  last_name: string;
  avatar_url: string | null;
  email_address: string;
  access_level: AttioAccessLevel;
  created_at: string;
}

export interface AttioAttribute {
  id: { workspace_id: string; object_id: string; attribute_id: string };
  title: string;
  description: string | null;
  api_slug: string;
  type: string;
  is_system_attribute: boolean;
  is_writable: boolean;
  is_required: boolean;
  is_unique: boolean;
  is_multiselect: boolean;
  is_default_value_enabled: boolean;
  is_archived: boolean;
  default_value: unknown;
  relationship: unknown;
  created_at: string;
  config: Record<string, unknown>;
}

export interface AttioSelectOption {
  id: { workspace_id: string; object_id: string; attribute_id: string; option_id: string };
  title: string;
  is_archived: boolean;
}

export type AttioObjectSlug = 'deals' | 'people';

export interface AttioObject {
  object_id: string;
  api_slug: AttioObjectSlug;
  attributes: AttioAttribute[];
}

export interface AttioSeed extends Pick<
  EmulatorAccounts,
  'people' | 'tokens' | 'tokenOwners' | 'oauthClients'
> {
  /** Lifetime of issued access tokens; default: they never expire (Attio's, mem). */
  accessTokenLifetimeSeconds: number;
  /** Members in Attio's own shape, added after the fillers and `people`. */
  members: AttioMember[];
  /** How many filler members to seed (default 25; one of them suspended). */
  fillerMembers: number;
  /** Select attributes (with their options by title) added to the deals object. */
  dealSelects: {
    api_slug: string;
    title: string;
    options: { title: string; is_archived?: boolean }[];
  }[];
}

export interface AttioState {
  tokens: Set<string>;
  oauthClients: EmulatorOAuthClient[];
  /** Whom the consent page offers to sign in as (the seeded people). */
  people: { id: string; email: string; name: string }[];
  accessTokenLifetimeSeconds: number;
  workspace: { id: string; name: string; slug: string };
  /** The member the token check reports as having authorized the token. */
  authorizedBy: string;
  members: AttioMember[];
  objects: Record<AttioObjectSlug, AttioObject>;
  /** Select options by attribute_id. */
  options: Record<string, AttioSelectOption[]>;
}

const WORKSPACE_ID = '2b7a4c11-5d3e-4f60-8a91-1c2d3e4f5a60';
const DEALS_OBJECT_ID = '7d1e9a40-2c6b-4f3e-9b8a-5e4d3c2b1a01';
const PEOPLE_OBJECT_ID = '7d1e9a40-2c6b-4f3e-9b8a-5e4d3c2b1a02';
const SEEDED_AT = '2024-03-04T09:30:00.000000000Z';
/** "Never": a lifetime of 100 years; `/v2/self` reports such a token's `exp` as null. */
export const ATTIO_TOKENS_NEVER_EXPIRE = 100 * 365 * 24 * 3600;
/** The scopes an Attio app is granted (set at build.attio.com, not in the authorize URL). */
const ATTIO_APP_SCOPES = ['user_management:read', 'object_configuration:read-write'];
/** The seeded (API-key) tokens' client id in `/v2/self`. */
const API_KEY_CLIENT_ID = 'c1a2b3c4-0000-4000-8000-00000000e901';

function member(
  id: string,
  email: string,
  name: string,
  accessLevel: AttioAccessLevel,
): AttioMember {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  return {
    id: { workspace_id: WORKSPACE_ID, workspace_member_id: id },
    first_name: first,
    last_name: rest.join(' '),
    avatar_url: null,
    email_address: email,
    access_level: accessLevel,
    created_at: SEEDED_AT,
  };
}

function fillerMembers(count: number): AttioMember[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return member(
      `6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d5${n}`,
      `contractor${n}@acme-partners.test`,
      `Contractor ${n}`,
      i === 4 ? 'suspended' : 'member',
    );
  });
}

function attribute(
  objectId: string,
  apiSlug: string,
  title: string,
  type: string,
  system: boolean,
  extra: Partial<AttioAttribute> = {},
): AttioAttribute {
  return {
    id: { workspace_id: WORKSPACE_ID, object_id: objectId, attribute_id: randomUUID() },
    title,
    description: null,
    api_slug: apiSlug,
    type,
    is_system_attribute: system,
    is_writable: true,
    is_required: false,
    is_unique: false,
    is_multiselect: false,
    is_default_value_enabled: false,
    is_archived: false,
    default_value: null,
    relationship: null,
    created_at: SEEDED_AT,
    config: {
      currency: { default_currency_code: null, display_type: null },
      record_reference: { allowed_object_ids: null },
    },
    ...extra,
  };
}

function selectOption(attr: AttioAttribute, title: string, archived = false): AttioSelectOption {
  return {
    id: { ...attr.id, option_id: randomUUID() },
    title,
    is_archived: archived,
  };
}

export function createAttioState(seed: Partial<AttioSeed> = {}): AttioState {
  const fillers = fillerMembers(seed.fillerMembers ?? 25);
  const deals: AttioObject = {
    object_id: DEALS_OBJECT_ID,
    api_slug: 'deals',
    attributes: [
      attribute(DEALS_OBJECT_ID, 'name', 'Deal name', 'text', true, { is_required: true }),
      attribute(DEALS_OBJECT_ID, 'stage', 'Deal stage', 'status', true, { is_required: true }),
      attribute(DEALS_OBJECT_ID, 'owner', 'Deal owner', 'actor-reference', true, {
        is_required: true,
      }),
      attribute(DEALS_OBJECT_ID, 'value', 'Deal value', 'currency', true),
    ],
  };
  const people: AttioObject = {
    object_id: PEOPLE_OBJECT_ID,
    api_slug: 'people',
    attributes: [
      attribute(PEOPLE_OBJECT_ID, 'name', 'Name', 'personal-name', true),
      attribute(PEOPLE_OBJECT_ID, 'email_addresses', 'Email addresses', 'email-address', true, {
        is_multiselect: true,
      }),
    ],
  };
  const options: Record<string, AttioSelectOption[]> = {};
  const selects = [
    // The unrelated pre-existing custom field.
    {
      api_slug: 'deal_source',
      title: 'Deal source',
      options: [{ title: 'Inbound' }, { title: 'Outbound' }],
    },
    ...(seed.dealSelects ?? []),
  ];
  for (const select of selects) {
    const attr = attribute(DEALS_OBJECT_ID, select.api_slug, select.title, 'select', false);
    deals.attributes.push(attr);
    options[attr.id.attribute_id] = select.options.map((o) =>
      selectOption(attr, o.title, o.is_archived ?? false),
    );
  }
  return {
    tokens: new Set(seed.tokens ?? []),
    oauthClients: structuredClone(seed.oauthClients ?? []),
    people: (seed.people ?? []).map((p) => ({ id: p.id, email: p.email, name: p.name })),
    accessTokenLifetimeSeconds: seed.accessTokenLifetimeSeconds ?? ATTIO_TOKENS_NEVER_EXPIRE,
    workspace: { id: WORKSPACE_ID, name: 'Acme', slug: 'acme' },
    authorizedBy: actingPersonId(seed, undefined, fillers[0]?.id.workspace_member_id ?? ''),
    members: [
      ...fillers,
      ...(seed.people ?? []).map((p) =>
        member(p.id, p.email, p.name, p.admin === true ? 'admin' : 'member'),
      ),
      ...structuredClone(seed.members ?? []),
    ],
    objects: { deals, people },
    options,
  };
}

// --- replies ---------------------------------------------------------------------------------

function attioError(status: number, type: string, code: string, message: string): EmulatorReply {
  return { status, body: { status_code: status, type, code, message } };
}

/** Retry-After as an HTTP date, rounded UP to the whole second so it never promises less. */
export function attioRetryAfter(value: string, now = Date.now()): string {
  if (!/^\d+(\.\d+)?$/.test(value)) return value;
  return new Date(Math.ceil((now + Number(value) * 1000) / 1000) * 1000).toUTCString();
}

function attioBehaviour(state: AttioState, authority: OAuthAuthority): VendorBehaviour {
  return {
    name: 'attio',
    authenticate(request: EmulatorRequest, faults: FaultConfig): AuthResult {
      if (request.headers.authorization === undefined) return 'missing';
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
      // Attio API keys do not expire; no expiry code is documented (mem): a token the fault
      // marks expired is refused like any other.
      if (result === 'missing') {
        return attioError(
          401,
          'auth_error',
          'unauthorized',
          'No authentication was provided. Send an Authorization: Bearer header.',
        );
      }
      return attioError(401, 'auth_error', 'unauthorized', 'The access token is invalid.');
    },
    rateLimited(retryAfter): EmulatorReply {
      const reply = attioError(
        429,
        'rate_limit_error',
        'rate_limit_exceeded',
        'Rate limit exceeded, please try again later',
      );
      // Attio always sends Retry-After (its rate-limiting guide), so the fault cannot drop it.
      return { ...reply, headers: { 'Retry-After': attioRetryAfter(retryAfter ?? '1') } };
    },
    serverError(): EmulatorReply {
      return attioError(500, 'api_error', 'internal_server_error', 'An unexpected error occurred.');
    },
    notFound(request): EmulatorReply {
      return attioError(
        404,
        'invalid_request_error',
        'not_found',
        `No route matches ${request.method} ${request.path}.`,
      );
    },
    badRequest(message): EmulatorReply {
      return attioError(400, 'invalid_request_error', 'validation_type', message);
    },
  };
}

// --- request bodies --------------------------------------------------------------------------

const attributeCreate = z.object({
  data: z.object({
    title: z.string().min(1),
    description: z.string().nullable(),
    api_slug: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
    type: z.enum([
      'text',
      'number',
      'checkbox',
      'currency',
      'date',
      'timestamp',
      'rating',
      'status',
      'select',
      'record-reference',
      'actor-reference',
      'location',
      'domain',
      'email-address',
      'phone-number',
    ]),
    is_required: z.boolean(),
    is_unique: z.boolean(),
    is_multiselect: z.boolean(),
    config: z.record(z.string(), z.unknown()),
    default_value: z.unknown().optional(),
  }),
});

const attributeUpdate = z.object({
  data: z.object({
    title: z.string().min(1).optional(),
    description: z.string().nullable().optional(),
    is_archived: z.boolean().optional(),
    is_required: z.boolean().optional(),
  }),
});

const optionCreate = z.object({ data: z.object({ title: z.string().trim().min(1) }) });

const optionUpdate = z.object({
  data: z.object({
    title: z.string().trim().min(1).optional(),
    is_archived: z.boolean().optional(),
  }),
});

function validation(error: z.ZodError): EmulatorReply {
  const detail = error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  return attioError(
    400,
    'invalid_request_error',
    'validation_type',
    `Body payload validation error. ${detail}`,
  );
}

// --- routes ----------------------------------------------------------------------------------

function tokenReply(outcome: TokenOutcome): EmulatorReply {
  if (outcome.ok) {
    return { status: 200, body: { access_token: outcome.accessToken, token_type: 'Bearer' } };
  }
  const error = outcome.error === 'redirect_uri_mismatch' ? 'invalid_grant' : outcome.error;
  return {
    status: error === 'invalid_client' ? 401 : 400,
    body: { error, error_description: outcome.description },
  };
}

function oauthRoutes(authority: OAuthAuthority): EmulatorRoute[] {
  return [
    ...authority.consentRoutes('/authorize'),
    {
      method: 'POST',
      pattern: '/oauth/token',
      auth: false,
      handler: (request) => {
        const params = requestParams(request);
        if (params.grant_type === 'refresh_token') {
          // Attio issues no refresh tokens (its token page: grant_type is always
          // authorization_code): the grant is counted and refused.
          authority.recordTokenRequest('refresh_token');
          return {
            status: 400,
            body: {
              error: 'unsupported_grant_type',
              error_description: 'grant_type must be authorization_code',
            },
          };
        }
        return tokenReply(authority.token(params, clientCredentials(request, params)));
      },
    },
  ];
}

function attioRoutes(
  state: AttioState,
  faults: () => FaultConfig,
  authority: OAuthAuthority,
): EmulatorRoute[] {
  const ok = (data: unknown): EmulatorReply => ({ status: 200, body: { data } });
  const notFound = (message: string) =>
    attioError(404, 'invalid_request_error', 'not_found', message);
  const forbidden = () =>
    attioError(
      403,
      'auth_error',
      'forbidden',
      'This token is missing the object_configuration:read-write scope.',
    );

  const objectOf = (request: EmulatorRequest): AttioObject | EmulatorReply => {
    const identifier = request.params.object ?? '';
    const found = Object.values(state.objects).find(
      (o) => o.api_slug === identifier || o.object_id === identifier,
    );
    return found ?? notFound(`Object with slug/ID "${identifier}" not found.`);
  };
  const attributeOf = (request: EmulatorRequest): AttioAttribute | EmulatorReply => {
    const object = objectOf(request);
    if (!('api_slug' in object)) return object;
    const identifier = request.params.attribute ?? '';
    const found = object.attributes.find(
      (a) => a.api_slug === identifier || a.id.attribute_id === identifier,
    );
    return found ?? notFound(`Attribute with slug/ID "${identifier}" not found.`);
  };
  const selectOf = (request: EmulatorRequest): AttioAttribute | EmulatorReply => {
    const attr = attributeOf(request);
    if (!('api_slug' in attr)) return attr;
    if (attr.type !== 'select') {
      return attioError(
        400,
        'invalid_request_error',
        'validation_type',
        `Attribute "${attr.api_slug}" is of type "${attr.type}", not "select".`,
      );
    }
    return attr;
  };
  const optionsOf = (attr: AttioAttribute): AttioSelectOption[] =>
    (state.options[attr.id.attribute_id] ??= []);

  return [
    {
      method: 'GET',
      pattern: '/v2/self',
      handler: (request) => {
        const now = Date.now();
        const iat = Math.floor(now / 1000);
        const issued = authority.checkAccessToken(bearerToken(request.headers, 'Bearer') ?? '');
        const grant = issued?.status === 'ok' ? issued : undefined;
        const clientId = grant?.grant.clientId ?? API_KEY_CLIENT_ID;
        // A token that "never" expires (the default) reports exp null, as API keys do.
        const exp =
          grant === undefined || grant.expiresAt - now > (ATTIO_TOKENS_NEVER_EXPIRE / 2) * 1000
            ? null
            : Math.floor(grant.expiresAt / 1000);
        return {
          status: 200,
          body: {
            active: true,
            scope: (grant?.scopes ?? ATTIO_APP_SCOPES).join(' '),
            client_id: clientId,
            token_type: 'Bearer',
            exp,
            iat,
            sub: state.workspace.id,
            aud: clientId,
            iss: 'attio.com',
            authorized_by_workspace_member_id: grant?.personId ?? state.authorizedBy,
            workspace_id: state.workspace.id,
            workspace_name: state.workspace.name,
            workspace_slug: state.workspace.slug,
            workspace_logo_url: null,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v2/workspace_members',
      // No paging: Attio returns every member at once.
      handler: () => ok(state.members),
    },
    {
      method: 'GET',
      pattern: '/v2/workspace_members/:memberId',
      handler: (request) => {
        const found = state.members.find(
          (m) => m.id.workspace_member_id === request.params.memberId,
        );
        return found ? ok(found) : notFound('Workspace member not found.');
      },
    },
    {
      method: 'GET',
      pattern: '/v2/objects/:object/attributes',
      handler: (request) => {
        const object = objectOf(request);
        if (!('api_slug' in object)) return object;
        const showArchived = request.query.get('show_archived') === 'true';
        const offset = Number(request.query.get('offset') ?? '0');
        const limitRaw = request.query.get('limit');
        const all = object.attributes.filter((a) => showArchived || !a.is_archived);
        const limit = limitRaw === null ? all.length : Number(limitRaw);
        return ok(all.slice(offset, offset + limit));
      },
    },
    {
      method: 'GET',
      pattern: '/v2/objects/:object/attributes/:attribute',
      handler: (request) => {
        const attr = attributeOf(request);
        return 'api_slug' in attr ? ok(attr) : attr;
      },
    },
    {
      method: 'POST',
      pattern: '/v2/objects/:object/attributes',
      handler: (request) => {
        const object = objectOf(request);
        if (!('api_slug' in object)) return object;
        if (faults().metadataNotPermitted) return forbidden();
        const parsed = attributeCreate.safeParse(request.body);
        if (!parsed.success) return validation(parsed.error);
        const input = parsed.data.data;
        if (object.attributes.some((a) => a.api_slug === input.api_slug)) {
          return attioError(
            409,
            'invalid_request_error',
            'slug_conflict',
            `An attribute with slug "${input.api_slug}" already exists on this object.`,
          );
        }
        const created = attribute(
          object.object_id,
          input.api_slug,
          input.title,
          input.type,
          false,
          {
            description: input.description,
            is_required: input.is_required,
            is_unique: input.is_unique,
            is_multiselect: input.is_multiselect,
            created_at: new Date().toISOString(),
            default_value: input.default_value ?? null,
            config: { ...attribute(object.object_id, '', '', '', false).config, ...input.config },
          },
        );
        object.attributes.push(created);
        if (created.type === 'select') state.options[created.id.attribute_id] = [];
        return ok(created);
      },
    },
    {
      method: 'PATCH',
      pattern: '/v2/objects/:object/attributes/:attribute',
      handler: (request) => {
        const attr = attributeOf(request);
        if (!('api_slug' in attr)) return attr;
        if (faults().metadataNotPermitted) return forbidden();
        const parsed = attributeUpdate.safeParse(request.body);
        if (!parsed.success) return validation(parsed.error);
        const input = parsed.data.data;
        if (input.title !== undefined) attr.title = input.title;
        if (input.description !== undefined) attr.description = input.description;
        if (input.is_archived !== undefined) attr.is_archived = input.is_archived;
        if (input.is_required !== undefined) attr.is_required = input.is_required;
        return ok(attr);
      },
    },
    {
      method: 'GET',
      pattern: '/v2/objects/:object/attributes/:attribute/options',
      handler: (request) => {
        const attr = selectOf(request);
        if (!('api_slug' in attr)) return attr;
        const showArchived = request.query.get('show_archived') === 'true';
        return ok(optionsOf(attr).filter((o) => showArchived || !o.is_archived));
      },
    },
    {
      method: 'POST',
      pattern: '/v2/objects/:object/attributes/:attribute/options',
      handler: (request) => {
        const attr = selectOf(request);
        if (!('api_slug' in attr)) return attr;
        if (faults().metadataNotPermitted) return forbidden();
        const parsed = optionCreate.safeParse(request.body);
        if (!parsed.success) return validation(parsed.error);
        const title = parsed.data.data.title;
        const options = optionsOf(attr);
        // Archived options still hold their title: un-archive them instead.
        if (options.some((o) => o.title === title)) {
          return attioError(
            409,
            'invalid_request_error',
            'slug_conflict',
            `A select option with title "${title}" already exists on attribute "${attr.api_slug}".`,
          );
        }
        const created = selectOption(attr, title);
        options.push(created);
        return ok(created);
      },
    },
    {
      method: 'PATCH',
      pattern: '/v2/objects/:object/attributes/:attribute/options/:option',
      handler: (request) => {
        const attr = selectOf(request);
        if (!('api_slug' in attr)) return attr;
        const identifier = request.params.option ?? '';
        const options = optionsOf(attr);
        const option = options.find((o) => o.id.option_id === identifier || o.title === identifier);
        if (!option) return notFound(`Select option with ID/title "${identifier}" not found.`);
        if (faults().metadataNotPermitted) return forbidden();
        const parsed = optionUpdate.safeParse(request.body);
        if (!parsed.success) return validation(parsed.error);
        const input = parsed.data.data;
        if (input.title !== undefined && input.title !== option.title) {
          if (options.some((o) => o.title === input.title)) {
            return attioError(
              409,
              'invalid_request_error',
              'slug_conflict',
              `A select option with title "${input.title}" already exists.`,
            );
          }
          option.title = input.title;
        }
        if (input.is_archived !== undefined) option.is_archived = input.is_archived;
        return ok(option);
      },
    },
  ];
}

/** An Attio emulator whose in-memory state tests can read and arrange. */
export class AttioEmulator extends EmulatorServer {
  readonly state: AttioState;
  /** The authorization server's knobs (lifetime, expiry, revocation, grants). */
  readonly oauth: OAuthControl & OAuthAuthority;

  constructor(state: AttioState) {
    const authority = attioAuthority(state);
    super(attioBehaviour(state, authority), (faults) => [
      ...oauthRoutes(authority),
      ...attioRoutes(state, faults, authority),
    ]);
    this.state = state;
    this.oauth = authority;
    // Attio's Retry-After is an HTTP date (the behaviour converts seconds to a date anyway).
    this.setFaults({ retryAfterAsDate: true });
  }

  override resetFaults(): void {
    super.resetFaults();
    this.setFaults({ retryAfterAsDate: true });
  }

  /** The attribute with that slug on deals (or people), archived or not. */
  attribute(slug: string, object: AttioObjectSlug = 'deals'): AttioAttribute | undefined {
    return this.state.objects[object].attributes.find((a) => a.api_slug === slug);
  }

  /** The select options of that attribute, archived included. */
  options(slug: string, object: AttioObjectSlug = 'deals'): AttioSelectOption[] {
    const attr = this.attribute(slug, object);
    return attr ? (this.state.options[attr.id.attribute_id] ?? []) : [];
  }
}

function attioAuthority(state: AttioState): OAuthAuthority {
  return new OAuthAuthority({
    vendor: 'Attio',
    clients: () => state.oauthClients,
    // The seeded people, else (a test without people) the first few active members.
    people: () =>
      state.people.length > 0
        ? state.people
        : state.members
            .filter((m) => m.access_level !== 'suspended')
            .slice(0, 5)
            .map((m) => ({
              id: m.id.workspace_member_id,
              email: m.email_address,
              name: `${m.first_name} ${m.last_name}`.trim(),
            })),
    accessTokenLifetimeSeconds: state.accessTokenLifetimeSeconds,
    defaultScopes: ATTIO_APP_SCOPES,
  });
}

export function createAttioEmulator(seed?: Partial<AttioSeed>): AttioEmulator {
  return new AttioEmulator(createAttioState(seed));
}
