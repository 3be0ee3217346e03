import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  EmulatorServer,
  type AuthResult,
  type EmulatorReply,
  type EmulatorRequest,
  type EmulatorRoute,
  type FaultConfig,
  type VendorBehaviour,
} from '#emulators/emulator-server.ts';
import { actingPersonId, type EmulatorAccounts } from '#emulators/emulator-accounts.ts';
import {
  clientCredentials,
  OAuthAuthority,
  requestParams,
  type OAuthControl,
  type TokenOutcome,
} from '#emulators/oauth-server.ts';

/**
 * A loopback Salesforce org (shared/product/crm-api-notes.md §2 and "Emulator scope"): the
 * OAuth web server flow on emulators/oauth-server.ts (`GET|POST /services/oauth2/authorize`: the
 * consent page; `POST /services/oauth2/token`: the authorization code grant with optional PKCE,
 * a `code_challenge` without a method being S256, and the refresh grant, which answers a
 * `refresh_token` only when `oauth.rotateRefreshTokens` is on; no `expires_in`; errors 400
 * `{error, error_description}`: invalid_client_id, invalid_client, invalid_grant,
 * redirect_uri_mismatch), whose `instance_url` is the emulator itself (from the Host header);
 * seeded `refreshTokens` are grants bound to no client (any client id is taken for them),
 * userinfo and limits, the REST query resource for three SOQL shapes (User, RecordType of
 * Opportunity, OpportunityStage) matched by a small pattern reader (no SOQL parser), paged with
 * `nextRecordsUrl` + `done:false`, the Opportunity describe, and the Tooling API for CustomField
 * (query, create, read, and a PATCH that replaces the value set and deactivates omitted values).
 *
 * Errors are always a JSON array `[{message, errorCode, fields}]`; every reply carries
 * `Sforce-Limit-Info: api-usage=N/M`. The org quota fault answers 403 REQUEST_LIMIT_EXCEEDED
 * (Salesforce sends no 429); the real one has no Retry-After, which `sendRetryAfter: false`
 * reproduces. Auth: `Authorization: Bearer <token>` (Salesforce also takes the legacy `OAuth`
 * scheme); any other scheme or none → 401 INVALID_AUTH_HEADER.
 *
 * Field-level security: a session acts as a User (its token's owner), and a custom field is in
 * that user's describe and SOQL only when a FieldPermissions row grants read on it through a
 * permission set the user holds: the profile's (every user shares one profile here; it grants the
 * seeded fields) or one assigned by a PermissionSetAssignment. A field the Tooling API creates has
 * no FieldPermissions, so it is hidden from everyone until granted. PermissionSet, FieldPermissions
 * and PermissionSetAssignment are sObjects: REST create and SOQL query, FieldPermissions also
 * update; a second assignment of the same set to the same user, or a second FieldPermissions row
 * for the same set and field, is refused with DUPLICATE_VALUE.
 *
 * Deviations, chosen for tests: the default query batch is 200 records (Salesforce's is 2,000;
 * `Sforce-Query-Options: batchSize=` is honoured between 200 and 2,000). State is per instance.
 */

export const SALESFORCE_ORG_ID = '00D000000000001AAA';

export interface SalesforceUser {
  Id: string;
  Username: string;
  Email: string;
  Name: string;
  FirstName: string;
  LastName: string;
  IsActive: boolean;
  UserType: 'Standard' | 'AutomatedProcess';
}

export interface SalesforceRecordType {
  Id: string;
  Name: string;
  DeveloperName: string;
  SobjectType: string;
  IsActive: boolean;
  Description: string | null;
  NamespacePrefix: string | null;
}

export interface SalesforceOpportunityStage {
  Id: string;
  MasterLabel: string;
  ApiName: string;
  SortOrder: number;
  IsActive: boolean;
  IsClosed: boolean;
  IsWon: boolean;
  DefaultProbability: number | null;
  ForecastCategoryName: string;
  Description: string | null;
}

/** One picklist value (Metadata `CustomValue`); `fullName` is the value's API name. */
export interface SalesforcePicklistValue {
  fullName: string;
  label: string;
  default: boolean;
  isActive: boolean;
  color: string | null;
  description: string | null;
}

export interface SalesforceCustomField {
  Id: string;
  /** The object's API name for standard objects (Opportunity, Contact). */
  TableEnumOrId: string;
  /** No `__c` suffix. */
  DeveloperName: string;
  NamespacePrefix: string | null;
  /** Metadata other than the value set: label, type, description, length… */
  metadata: Record<string, unknown> & { label: string; type: string };
  /** Present for Picklist fields. */
  valueSet: { restricted: boolean; sorted: boolean; values: SalesforcePicklistValue[] } | null;
  CreatedDate: string;
  LastModifiedDate: string;
}

export interface SalesforceSeed extends EmulatorAccounts {
  /** Known tokens whose session has timed out (acting as `tokenOwners` says, or the first person). */
  expiredTokens: string[];
  /** Users in Salesforce's own shape, added after the fillers and `people`. */
  users: SalesforceUser[];
  /** How many filler users come before `people` (default 240, 3 of them inactive). */
  fillerUsers: number;
  /** Records per query page when no batchSize header is sent (default 200). */
  queryPageSize: number;
  /** Custom fields added to the default ones (the unrelated Opportunity.Deal_Source__c…). */
  customFields: SalesforceCustomField[];
  recordTypes: SalesforceRecordType[];
  stages: SalesforceOpportunityStage[];
  /** Opportunity records (Id, Name, StageName…, custom fields by `Name__c`); default none. */
  opportunities: Record<string, unknown>[];
  /** Daily API request quota shown in Sforce-Limit-Info and /limits (default 100,000). */
  apiLimit: number;
  /** Whether the REQUEST_LIMIT_EXCEEDED fault carries Retry-After (default true; real: no). */
  sendRetryAfter: boolean;
  /**
   * How long sessions the authorization server issues work (default 7200 s: Salesforce's
   * default two-hour timeout; the token response never says, it has no `expires_in`).
   */
  accessTokenLifetimeSeconds: number;
}

/** A PermissionSet; the profile's own set has IsOwnedByProfile true. */
export interface SalesforcePermissionSet {
  Id: string;
  Name: string;
  Label: string;
  Description: string | null;
  IsOwnedByProfile: boolean;
  IsCustom: boolean;
  NamespacePrefix: string | null;
  LicenseId: string | null;
}

export interface SalesforceFieldPermissions {
  Id: string;
  ParentId: string;
  SobjectType: string;
  /** `Object.Field__c`. */
  Field: string;
  PermissionsRead: boolean;
  PermissionsEdit: boolean;
}

export interface SalesforcePermissionSetAssignment {
  Id: string;
  PermissionSetId: string;
  AssigneeId: string;
  IsActive: boolean;
}

interface QueryCursor {
  records: Record<string, unknown>[];
  tooling: boolean;
  pageSize: number;
}

export interface SalesforceState {
  /** Access token → the User Id it acts as. */
  tokens: Map<string, string>;
  expiredTokens: Set<string>;
  /** OAuth apps the authorization server knows (the seed's, and `addOAuthClient`). */
  oauthClients: { clientId: string; clientSecret: string; redirectUris?: string[] }[];
  users: SalesforceUser[];
  recordTypes: SalesforceRecordType[];
  stages: SalesforceOpportunityStage[];
  customFields: SalesforceCustomField[];
  permissionSets: SalesforcePermissionSet[];
  fieldPermissions: SalesforceFieldPermissions[];
  permissionSetAssignments: SalesforcePermissionSetAssignment[];
  opportunities: Record<string, unknown>[];
  queryPageSize: number;
  cursors: Map<string, QueryCursor>;
  apiUsage: number;
  apiLimit: number;
  sendRetryAfter: boolean;
  /** Counters for generated ids. */
  sequence: number;
  /**
   * The authorization server (`/services/oauth2/authorize` and `/token`): its sessions act as
   * the person chosen on the consent page; the seeded refresh tokens are grants of it.
   */
  oauth: OAuthAuthority;
}

const SEEDED_AT = '2024-03-04T09:30:00.000+0000';
const MIN_VERSION = 31;
const MAX_VERSION = 65;
/** The permission set of the one profile every user has; it grants the seeded custom fields. */
export const PROFILE_PERMISSION_SET_ID = '0PS000000000001AAA';
/** Who created the seeded metadata, and who a token acts as when nobody is seeded. */
const ADMIN_USER_ID = '005000000000001AAA';

function splitName(name: string): { FirstName: string; LastName: string } {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  return { FirstName: first, LastName: rest.join(' ') };
}

function user(Id: string, email: string, name: string, IsActive = true): SalesforceUser {
  return {
    Id,
    Username: `${email}.acmeprod`,
    Email: email,
    Name: name,
    ...splitName(name),
    IsActive,
    UserType: 'Standard',
  };
}

/** Filler users listed before the seeded people, so finding one of them needs the second page. */
function fillerUsers(count: number): SalesforceUser[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    // Three deactivated users: hidden by `WHERE IsActive = true`.
    const active = !['013', '077', '150'].includes(n);
    return user(
      `005Hs0000${String(i + 1).padStart(6, '0')}AAA`,
      `contractor${n}@acme-partners.test`,
      `Contractor ${n}`,
      active,
    );
  });
}

function recordType(
  Id: string,
  Name: string,
  DeveloperName: string,
  IsActive = true,
  SobjectType = 'Opportunity',
): SalesforceRecordType {
  return {
    Id,
    Name,
    DeveloperName,
    SobjectType,
    IsActive,
    Description: null,
    NamespacePrefix: null,
  };
}

/** The demo's record types (settings seed), one retired, plus one of another object. */
function defaultRecordTypes(): SalesforceRecordType[] {
  return [
    recordType('012000000000001AAA', 'New Business', 'New_Business'),
    recordType('012000000000002AAA', 'Renewal', 'Renewal'),
    recordType('012000000000003AAA', 'Channel Partner (retired)', 'Channel_Partner', false),
    recordType('012000000000004AAA', 'Partner Deal', 'Partner_Deal'),
    recordType('012000000000005AAA', 'Key Account', 'Key_Account', true, 'Account'),
  ];
}

function stage(
  n: number,
  label: string,
  probability: number,
  forecast: string,
  closed = false,
  won = false,
  active = true,
): SalesforceOpportunityStage {
  return {
    Id: `01J000000000${String(n).padStart(3, '0')}AAA`,
    MasterLabel: label,
    ApiName: label,
    SortOrder: n,
    IsActive: active,
    IsClosed: closed,
    IsWon: won,
    DefaultProbability: probability,
    ForecastCategoryName: forecast,
    Description: null,
  };
}

/** Salesforce's standard stages, the demo's Legal Review, and one retired stage. */
function defaultStages(): SalesforceOpportunityStage[] {
  return [
    stage(1, 'Prospecting', 10, 'Pipeline'),
    stage(2, 'Qualification', 10, 'Pipeline'),
    stage(3, 'Needs Analysis', 20, 'Pipeline'),
    stage(4, 'Value Proposition', 50, 'Pipeline'),
    stage(5, 'Id. Decision Makers', 60, 'Pipeline'),
    stage(6, 'Perception Analysis', 70, 'Pipeline'),
    stage(7, 'Proposal/Price Quote', 75, 'Pipeline'),
    stage(8, 'Negotiation/Review', 90, 'Best Case'),
    stage(9, 'Legal Review', 95, 'Commit'),
    stage(10, 'Closed Won', 100, 'Closed', true, true),
    stage(11, 'Closed Lost', 0, 'Omitted', true, false),
    stage(12, 'On Hold (retired)', 5, 'Omitted', false, false, false),
  ];
}

export function picklistValue(fullName: string, label: string): SalesforcePicklistValue {
  return { fullName, label, default: false, isActive: true, color: null, description: null };
}

/** A Picklist custom field on an object, as the Tooling API stores it. */
export function picklistField(
  Id: string,
  developerName: string,
  label: string,
  values: SalesforcePicklistValue[],
  table = 'Opportunity',
): SalesforceCustomField {
  return {
    Id,
    TableEnumOrId: table,
    DeveloperName: developerName,
    NamespacePrefix: null,
    metadata: { label, type: 'Picklist', description: null, required: false },
    valueSet: { restricted: true, sorted: false, values },
    CreatedDate: SEEDED_AT,
    LastModifiedDate: SEEDED_AT,
  };
}

/** The unrelated pre-existing custom fields (from the demo settings). */
function defaultCustomFields(): SalesforceCustomField[] {
  return [
    picklistField('00N000000000101AAA', 'Deal_Source', 'Deal source', [
      picklistValue('inbound', 'Inbound'),
      picklistValue('outbound', 'Outbound'),
      picklistValue('partner_referral', 'Partner referral'),
      picklistValue('event', 'Event'),
    ]),
    {
      Id: '00N000000000102AAA',
      TableEnumOrId: 'Opportunity',
      DeveloperName: 'Expected_Seats',
      NamespacePrefix: null,
      metadata: {
        label: 'Expected seats',
        type: 'Number',
        description: null,
        required: false,
        precision: 18,
        scale: 0,
      },
      valueSet: null,
      CreatedDate: SEEDED_AT,
      LastModifiedDate: SEEDED_AT,
    },
  ];
}

/** The profile's permission set, granting read and edit on every seeded custom field. */
function profileAccess(fields: SalesforceCustomField[]): {
  permissionSet: SalesforcePermissionSet;
  fieldPermissions: SalesforceFieldPermissions[];
} {
  return {
    permissionSet: {
      Id: PROFILE_PERMISSION_SET_ID,
      Name: 'X00e000000000001AAA',
      Label: 'Standard User',
      Description: null,
      IsOwnedByProfile: true,
      IsCustom: false,
      NamespacePrefix: null,
      LicenseId: null,
    },
    fieldPermissions: fields.map((f, i) => ({
      Id: `01k00000000${String(i + 1).padStart(4, '0')}AAA`,
      ParentId: PROFILE_PERMISSION_SET_ID,
      SobjectType: f.TableEnumOrId,
      Field: `${f.TableEnumOrId}.${f.DeveloperName}__c`,
      PermissionsRead: true,
      PermissionsEdit: true,
    })),
  };
}

export function createSalesforceState(seed: Partial<SalesforceSeed> = {}): SalesforceState {
  const fillers = fillerUsers(seed.fillerUsers ?? 240);
  const actsAs = (token: string) => actingPersonId(seed, token, fillers[0]?.Id ?? ADMIN_USER_ID);
  const customFields = [...defaultCustomFields(), ...structuredClone(seed.customFields ?? [])];
  const profile = profileAccess(customFields);
  const access = new Map<string, string>();
  for (const token of [...(seed.tokens ?? []), ...(seed.expiredTokens ?? [])]) {
    access.set(token, actsAs(token));
  }
  const users = [
    ...fillers,
    ...(seed.people ?? []).map((p) => user(p.id, p.email, p.name)),
    ...structuredClone(seed.users ?? []),
  ];
  const clients = structuredClone(seed.oauthClients ?? []);
  let sessions = 0;
  const oauth = new OAuthAuthority({
    vendor: 'Salesforce',
    clients: () => clients,
    // The consent page offers the seeded people (else the first active users).
    people: () => {
      const seeded = (seed.people ?? []).map((p) => ({ id: p.id, name: p.name, email: p.email }));
      if (seeded.length > 0) return seeded;
      return users
        .filter((u) => u.IsActive)
        .slice(0, 5)
        .map((u) => ({ id: u.Id, name: u.Name, email: u.Email }));
    },
    accessTokenLifetimeSeconds: seed.accessTokenLifetimeSeconds ?? 7200,
    scopeSeparator: ' ',
    challengeMethodDefaultsToS256: true,
    defaultScopes: ['api', 'refresh_token', 'id'],
    mintAccessToken: () => {
      sessions += 1;
      return `${SALESFORCE_ORG_ID.slice(0, 15)}!AQ0AQoauth${String(sessions).padStart(6, '0')}.${randomBytes(12).toString('base64url')}`;
    },
    mintRefreshToken: () => `5Aep861${randomBytes(24).toString('base64url')}`,
    mintCode: () => `aPrx${randomBytes(24).toString('base64url')}`,
  });
  for (const token of seed.refreshTokens ?? []) {
    oauth.seedRefreshToken(token, actsAs(token), ['refresh_token', 'api', 'id']);
  }
  return {
    tokens: access,
    expiredTokens: new Set(seed.expiredTokens ?? []),
    users,
    oauthClients: clients,
    recordTypes: [...defaultRecordTypes(), ...structuredClone(seed.recordTypes ?? [])],
    stages: seed.stages ? structuredClone(seed.stages) : defaultStages(),
    customFields,
    permissionSets: [profile.permissionSet],
    fieldPermissions: profile.fieldPermissions,
    permissionSetAssignments: [],
    opportunities: structuredClone(seed.opportunities ?? []),
    queryPageSize: seed.queryPageSize ?? 200,
    cursors: new Map(),
    apiUsage: 0,
    apiLimit: seed.apiLimit ?? 100_000,
    sendRetryAfter: seed.sendRetryAfter ?? true,
    sequence: 0,
    oauth,
  };
}

/** A new access token (session id) acting as the user. */
function mintSession(state: SalesforceState, userId: string): string {
  state.sequence += 1;
  const token = `${SALESFORCE_ORG_ID.slice(0, 15)}!AQ0AQemu${String(state.sequence).padStart(6, '0')}.${Date.now().toString(36)}`;
  state.tokens.set(token, userId);
  return token;
}

// --- replies ---------------------------------------------------------------------------------

interface SalesforceErrorItem {
  message: string;
  errorCode: string;
  fields: string[];
}

function limitHeaders(state: SalesforceState): Record<string, string> {
  return { 'Sforce-Limit-Info': `api-usage=${state.apiUsage}/${state.apiLimit}` };
}

function failure(
  state: SalesforceState,
  status: number,
  errorCode: string,
  message: string,
  fields: string[] = [],
): EmulatorReply {
  const body: SalesforceErrorItem[] = [{ message, errorCode, fields }];
  return { status, body, headers: limitHeaders(state) };
}

function ok(state: SalesforceState, body: unknown, status = 200): EmulatorReply {
  return body === undefined
    ? { status, headers: limitHeaders(state) }
    : { status, body, headers: limitHeaders(state) };
}

/** The session id from `Authorization: Bearer <token>` or the legacy `OAuth <token>`. */
function sessionToken(request: EmulatorRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^(Bearer|OAuth) +(\S+)$/i.exec(header.trim());
  return match?.[2];
}

function tokenError(state: SalesforceState, error: string, description: string): EmulatorReply {
  return {
    status: 400,
    headers: limitHeaders(state),
    body: { error, error_description: description },
  };
}

/**
 * The token endpoint's reply: `{access_token, refresh_token?, signature, scope, instance_url, id,
 * token_type, issued_at}`, no `expires_in` (Salesforce does not say when a session times out).
 * A refresh carries `refresh_token` only when rotation is on.
 */
function tokenReply(
  state: SalesforceState,
  request: EmulatorRequest,
  outcome: TokenOutcome,
): EmulatorReply {
  if (!outcome.ok) {
    switch (outcome.error) {
      case 'invalid_client':
        return tokenError(state, 'invalid_client', 'invalid client credentials');
      case 'redirect_uri_mismatch':
        return tokenError(state, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      case 'invalid_grant':
        return tokenError(
          state,
          'invalid_grant',
          outcome.description.includes('verifier')
            ? 'invalid code verifier'
            : outcome.description.includes('authorization code')
              ? 'invalid authorization code'
              : 'expired access/refresh token',
        );
      default:
        return tokenError(state, outcome.error, outcome.description);
    }
  }
  const base = baseUrlOf(request);
  return {
    status: 200,
    headers: limitHeaders(state),
    body: {
      access_token: outcome.accessToken,
      ...(outcome.refreshToken === undefined ? {} : { refresh_token: outcome.refreshToken }),
      signature: randomBytes(32).toString('base64'),
      scope: outcome.scopes.join(' '),
      instance_url: base,
      id: `${base}/id/${SALESFORCE_ORG_ID}/${outcome.personId}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    },
  };
}

function salesforceBehaviour(state: SalesforceState): VendorBehaviour {
  return {
    name: 'salesforce',
    authenticate(request: EmulatorRequest, faults: FaultConfig): AuthResult {
      state.apiUsage += 1;
      const token = sessionToken(request);
      if (token === undefined) return 'missing';
      const issued = state.oauth.checkAccessToken(token);
      if (issued !== undefined) {
        if (issued.status === 'revoked') return 'invalid';
        if (issued.status === 'expired') return 'expired';
        return faults.tokensExpired ? 'expired' : 'ok';
      }
      if (!state.tokens.has(token)) return 'invalid';
      return faults.tokensExpired || state.expiredTokens.has(token) ? 'expired' : 'ok';
    },
    unauthorized(result): EmulatorReply {
      if (result === 'missing') {
        // No Authorization header, or a scheme other than Bearer/OAuth.
        return failure(state, 401, 'INVALID_AUTH_HEADER', 'INVALID_HEADER_TYPE');
      }
      // Salesforce answers an expired and an unknown session alike (errorcodes.htm).
      return failure(state, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    },
    rateLimited(retryAfter, faults): EmulatorReply {
      // `rateLimitPolicy: 'CONCURRENT'`: the cap on concurrent long-running requests, which
      // Salesforce refuses with the same code while the day's allowance is not spent.
      const concurrent = faults.rateLimitPolicy === 'CONCURRENT';
      const reply = failure(
        state,
        403,
        'REQUEST_LIMIT_EXCEEDED',
        concurrent
          ? 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.'
          : 'TotalRequests Limit exceeded.',
      );
      return {
        ...reply,
        headers: {
          'Sforce-Limit-Info': concurrent
            ? `api-usage=${state.apiUsage}/${state.apiLimit}`
            : `api-usage=${state.apiLimit + 1}/${state.apiLimit}`,
          ...(state.sendRetryAfter && retryAfter !== undefined
            ? { 'Retry-After': retryAfter }
            : {}),
        },
      };
    },
    serverError(): EmulatorReply {
      return failure(
        state,
        503,
        'SERVER_UNAVAILABLE',
        'Server temporarily unavailable. Please try again later.',
      );
    },
    notFound(): EmulatorReply {
      return failure(state, 404, 'NOT_FOUND', 'The requested resource does not exist');
    },
    badRequest(message): EmulatorReply {
      return failure(state, 400, 'JSON_PARSER_ERROR', message);
    },
  };
}

// --- a small SOQL reader (patterns, not a parser) --------------------------------------------

type SoqlValue = string | number | boolean | null;

interface SoqlCondition {
  field: string;
  op: '=' | '!=';
  value: SoqlValue;
}

interface SoqlQuery {
  fields: string[];
  object: string;
  where: SoqlCondition[];
  orderBy: { field: string; desc: boolean } | undefined;
  limit: number | undefined;
}

class SoqlError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

function parseLiteral(raw: string): SoqlValue {
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  return Number(raw);
}

function parseWhere(text: string, soql: string): SoqlCondition[] {
  const conditions: SoqlCondition[] = [];
  const condition = /^\s*(\w+)\s*(=|!=)\s*('(?:[^'\\]|\\.)*'|true|false|null|-?\d+(?:\.\d+)?)\s*/i;
  let rest = text;
  for (;;) {
    const match = condition.exec(rest);
    if (!match?.[1] || !match[2] || match[3] === undefined) {
      throw new SoqlError(
        'MALFORMED_QUERY',
        `\n${soql}\n^\nERROR at Row:1:Column:1\nunexpected token: '${rest.trim().split(/\s+/)[0] ?? ''}'`,
      );
    }
    conditions.push({
      field: match[1],
      op: match[2] as '=' | '!=',
      value: parseLiteral(match[3]),
    });
    rest = rest.slice(match[0].length);
    if (rest.trim() === '') return conditions;
    const and = /^AND\s+/i.exec(rest);
    if (!and) {
      throw new SoqlError(
        'MALFORMED_QUERY',
        `\n${soql}\n^\nERROR at Row:1:Column:1\nunexpected token: '${rest.trim().split(/\s+/)[0] ?? ''}'`,
      );
    }
    rest = rest.slice(and[0].length);
  }
}

function parseSoql(soql: string): SoqlQuery {
  const match =
    /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/is.exec(
      soql,
    );
  if (!match?.[1] || !match[2]) {
    throw new SoqlError(
      'MALFORMED_QUERY',
      `\n${soql}\n^\nERROR at Row:1:Column:1\nunexpected token`,
    );
  }
  const fields = match[1].split(',').map((f) => f.trim());
  if (fields.some((f) => !/^\w+$/.test(f))) {
    throw new SoqlError(
      'MALFORMED_QUERY',
      `\n${soql}\n^\nERROR at Row:1:Column:8\nonly plain field names are supported by this org emulator`,
    );
  }
  return {
    fields,
    object: match[2],
    where: match[3] === undefined ? [] : parseWhere(match[3], soql),
    orderBy:
      match[4] === undefined
        ? undefined
        : { field: match[4], desc: match[5]?.toUpperCase() === 'DESC' },
    limit: match[6] === undefined ? undefined : Number(match[6]),
  };
}

function fieldOf(record: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(record).find((key) => key.toLowerCase() === lower);
}

function matches(record: Record<string, unknown>, condition: SoqlCondition): boolean {
  const key = fieldOf(record, condition.field);
  const actual = key === undefined ? undefined : record[key];
  let equal: boolean;
  if (typeof actual === 'string' && typeof condition.value === 'string') {
    // SOQL compares strings case-insensitively.
    equal = actual.toLowerCase() === condition.value.toLowerCase();
  } else {
    equal = (actual ?? null) === condition.value;
  }
  return condition.op === '=' ? equal : !equal;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const text = (v: unknown) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  return text(a).localeCompare(text(b));
}

/** Runs a parsed query over rows; checks every named field exists (INVALID_FIELD otherwise). */
function runQuery(
  query: SoqlQuery,
  soql: string,
  rows: Record<string, unknown>[],
  sample: Record<string, unknown>,
  project: (row: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown>[] {
  const named = [
    ...query.fields,
    ...query.where.map((c) => c.field),
    ...(query.orderBy ? [query.orderBy.field] : []),
  ];
  for (const name of named) {
    if (fieldOf(sample, name) === undefined) {
      throw new SoqlError(
        'INVALID_FIELD',
        `\n${soql}\n^\nERROR at Row:1:Column:8\nNo such column '${name}' on entity '${query.object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
  }
  let result = rows.filter((row) => query.where.every((c) => matches(row, c)));
  const order = query.orderBy;
  if (order) {
    const key = fieldOf(sample, order.field) ?? order.field;
    result = [...result].sort((a, b) => compareValues(a[key], b[key]) * (order.desc ? -1 : 1));
  }
  if (query.limit !== undefined) result = result.slice(0, query.limit);
  return result.map((row) => {
    const projected = project(row);
    const out: Record<string, unknown> = { attributes: projected.attributes };
    for (const name of query.fields) {
      const key = fieldOf(projected, name) ?? name;
      out[key] = projected[key];
    }
    return out;
  });
}

// --- request bodies --------------------------------------------------------------------------

const customValueInput = z.looseObject({
  fullName: z.string().min(1).max(255).nullish(),
  valueName: z.string().min(1).max(255).nullish(),
  label: z.string().min(1).max(255),
  default: z.boolean().nullish(),
  isActive: z.boolean().nullish(),
  color: z.string().nullish(),
  description: z.string().nullish(),
});

const metadataInput = z.looseObject({
  label: z.string().min(1).max(40),
  type: z.string().min(1),
  description: z.string().nullish(),
  valueSet: z
    .looseObject({
      restricted: z.boolean().nullish(),
      valueSetDefinition: z
        .looseObject({
          sorted: z.boolean().nullish(),
          value: z.array(customValueInput),
        })
        .nullish(),
    })
    .nullish(),
});

const customFieldCreate = z.object({
  FullName: z.string().min(1),
  Metadata: metadataInput,
});

const customFieldUpdate = z.object({
  FullName: z.string().min(1).optional(),
  Metadata: metadataInput,
});

function zodFailure(state: SalesforceState, error: z.ZodError): EmulatorReply {
  const first = error.issues[0];
  const path = first?.path.join('.') ?? '';
  return failure(
    state,
    400,
    first?.code === 'invalid_type' ? 'REQUIRED_FIELD_MISSING' : 'FIELD_INTEGRITY_EXCEPTION',
    `${path ? `${path}: ` : ''}${first?.message ?? 'invalid input'}`,
    path ? [path] : [],
  );
}

/** Normalised values, or an error message. `fullName` and `valueName` are synonyms on write. */
function readValues(
  input: z.infer<typeof customValueInput>[],
): SalesforcePicklistValue[] | { message: string; field: string } {
  const seen = new Set<string>();
  const values: SalesforcePicklistValue[] = [];
  for (const v of input) {
    const fullName = v.fullName ?? v.valueName;
    if (!fullName) return { message: 'Required fields are missing: [fullName]', field: 'fullName' };
    if (seen.has(fullName.toLowerCase())) {
      return { message: `Duplicate picklist value: ${fullName}`, field: 'value' };
    }
    seen.add(fullName.toLowerCase());
    values.push({
      fullName,
      label: v.label,
      default: v.default ?? false,
      isActive: v.isActive ?? true,
      color: v.color ?? null,
      description: v.description ?? null,
    });
  }
  return values;
}

// --- field-level security --------------------------------------------------------------------

/** Salesforce ids compare on their case-sensitive 15-character form. */
const sameId = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);

/**
 * What the user may do with `Object.Field__c`: read and edit as granted by any FieldPermissions
 * row of a permission set they hold (their profile's, and every one assigned to them).
 */
function fieldAccess(
  state: SalesforceState,
  userId: string | undefined,
  field: string,
): { read: boolean; edit: boolean } {
  const held = [
    PROFILE_PERMISSION_SET_ID,
    ...state.permissionSetAssignments
      .filter((a) => userId !== undefined && sameId(a.AssigneeId, userId))
      .map((a) => a.PermissionSetId),
  ];
  const rows = state.fieldPermissions.filter(
    (fp) =>
      held.some((id) => sameId(id, fp.ParentId)) && fp.Field.toLowerCase() === field.toLowerCase(),
  );
  return { read: rows.some((r) => r.PermissionsRead), edit: rows.some((r) => r.PermissionsEdit) };
}

type SecurityObject = 'PermissionSet' | 'FieldPermissions' | 'PermissionSetAssignment';

/** The sObjects of permission sets, by their lower-case SOQL name. */
const SECURITY_OBJECTS = {
  permissionset: 'PermissionSet',
  fieldpermissions: 'FieldPermissions',
  permissionsetassignment: 'PermissionSetAssignment',
} as const satisfies Record<string, SecurityObject>;

/** A row of each, naming every field a query may select (for INVALID_FIELD). */
const SECURITY_SAMPLES: {
  PermissionSet: SalesforcePermissionSet;
  FieldPermissions: SalesforceFieldPermissions;
  PermissionSetAssignment: SalesforcePermissionSetAssignment;
} = {
  PermissionSet: {
    Id: '',
    Name: '',
    Label: '',
    Description: null,
    IsOwnedByProfile: false,
    IsCustom: true,
    NamespacePrefix: null,
    LicenseId: null,
  },
  FieldPermissions: {
    Id: '',
    ParentId: '',
    SobjectType: '',
    Field: '',
    PermissionsRead: false,
    PermissionsEdit: false,
  },
  PermissionSetAssignment: { Id: '', PermissionSetId: '', AssigneeId: '', IsActive: true },
};

/** The standard Opportunity fields a SOQL query may name (the describe lists the same). */
const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'StageName',
  'Amount',
  'CloseDate',
  'OwnerId',
  'RecordTypeId',
] as const;

const permissionSetCreate = z.strictObject({
  Name: z.string().min(1).max(80),
  Label: z.string().min(1).max(80),
  Description: z.string().max(255).nullish(),
});

const fieldPermissionsCreate = z.strictObject({
  ParentId: z.string().min(15).max(18),
  SobjectType: z.string().min(1),
  Field: z.string().min(1),
  PermissionsRead: z.boolean().optional(),
  PermissionsEdit: z.boolean().optional(),
});

const fieldPermissionsUpdate = z.strictObject({
  PermissionsRead: z.boolean().optional(),
  PermissionsEdit: z.boolean().optional(),
});

const assignmentCreate = z.strictObject({
  PermissionSetId: z.string().min(15).max(18),
  AssigneeId: z.string().min(15).max(18),
});

// --- routes ----------------------------------------------------------------------------------

const SOBJECTS = new Set(['Opportunity', 'Contact', 'Account', 'Lead']);

function versionOk(request: EmulatorRequest): boolean {
  const match = /^v(\d+)\.0$/.exec(request.params.version ?? '');
  const n = Number(match?.[1]);
  return match !== null && n >= MIN_VERSION && n <= MAX_VERSION;
}

function baseUrlOf(request: EmulatorRequest): string {
  return `http://${request.headers.host ?? '127.0.0.1'}`;
}

/** The `urls` of userinfo and the Identity URL. */
function identityUrls(base: string): Record<string, string> {
  return {
    rest: `${base}/services/data/v{version}/`,
    sobjects: `${base}/services/data/v{version}/sobjects/`,
    query: `${base}/services/data/v{version}/query/`,
    tooling_rest: `${base}/services/data/v{version}/tooling/`,
  };
}

function userRow(u: SalesforceUser, version: string): Record<string, unknown> {
  return {
    attributes: { type: 'User', url: `/services/data/${version}/sobjects/User/${u.Id}` },
    ...u,
  };
}

function customFieldOut(field: SalesforceCustomField, version: string, full: boolean) {
  const fullName = `${field.TableEnumOrId}.${field.DeveloperName}__c`;
  const record: Record<string, unknown> = {
    attributes: {
      type: 'CustomField',
      url: `/services/data/${version}/tooling/sobjects/CustomField/${field.Id}`,
    },
    Id: field.Id,
    TableEnumOrId: field.TableEnumOrId,
    EntityDefinitionId: field.TableEnumOrId,
    DeveloperName: field.DeveloperName,
    NamespacePrefix: field.NamespacePrefix,
    Description: field.metadata.description ?? null,
    ManageableState: 'unmanaged',
    CreatedDate: field.CreatedDate,
    CreatedById: ADMIN_USER_ID,
    LastModifiedDate: field.LastModifiedDate,
    LastModifiedById: ADMIN_USER_ID,
    FullName: fullName,
    Metadata: null,
  };
  if (full) record.Metadata = metadataOut(field);
  return record;
}

/** The Metadata as Tooling returns it: a CustomValue's fullName comes back as `valueName`. */
function metadataOut(field: SalesforceCustomField): Record<string, unknown> {
  return {
    externalId: false,
    inlineHelpText: null,
    trackHistory: false,
    trackTrending: false,
    unique: null,
    ...field.metadata,
    valueSet: field.valueSet
      ? {
          controllingField: null,
          restricted: field.valueSet.restricted,
          valueSetDefinition: {
            sorted: field.valueSet.sorted,
            value: field.valueSet.values.map((v) => ({
              color: v.color,
              default: v.default,
              description: v.description,
              isActive: v.isActive,
              label: v.label,
              urls: null,
              valueName: v.fullName,
            })),
          },
          valueSetName: null,
          valueSettings: [],
        }
      : null,
  };
}

function describeField(name: string, label: string, type: string, custom = false) {
  return {
    name,
    label,
    type,
    custom,
    nillable: name !== 'Id' && name !== 'Name' && name !== 'StageName',
    createable: name !== 'Id',
    updateable: name !== 'Id',
    picklistValues: [] as {
      value: string;
      label: string;
      active: boolean;
      defaultValue: boolean;
      validFor: null;
    }[],
  };
}

function salesforceRoutes(state: SalesforceState, faults: () => FaultConfig): EmulatorRoute[] {
  const nextId = (prefix: string): string => {
    state.sequence += 1;
    return `${prefix}Hs0000${String(state.sequence).padStart(6, '0')}AAA`;
  };
  const fieldById = (id: string) => state.customFields.find((f) => sameId(f.Id, id));

  /** One page from a cursor, with nextRecordsUrl when more remain. */
  const page = (cursorId: string, offset: number, version: string): Record<string, unknown> => {
    const cursor = state.cursors.get(cursorId);
    if (!cursor) return {};
    const records = cursor.records.slice(offset, offset + cursor.pageSize);
    const next = offset + cursor.pageSize;
    const done = next >= cursor.records.length;
    if (done) state.cursors.delete(cursorId);
    const base = `/services/data/${version}${cursor.tooling ? '/tooling' : ''}/query/`;
    const locator = done ? null : `${base}${cursorId}-${next}`;
    return cursor.tooling
      ? {
          size: cursor.records.length,
          totalSize: cursor.records.length,
          done,
          queryLocator: done ? null : `${cursorId}-${next}`,
          ...(locator === null ? {} : { nextRecordsUrl: locator }),
          entityTypeName: 'CustomField',
          records,
        }
      : {
          totalSize: cursor.records.length,
          done,
          ...(locator === null ? {} : { nextRecordsUrl: locator }),
          records,
        };
  };

  const pageSizeOf = (request: EmulatorRequest): number => {
    const header = request.headers['sforce-query-options'];
    const value = typeof header === 'string' ? /batchSize=(\d+)/i.exec(header)?.[1] : undefined;
    return value === undefined ? state.queryPageSize : Math.min(2000, Math.max(200, Number(value)));
  };

  const soqlFailure = (error: unknown): EmulatorReply => {
    if (error instanceof SoqlError) return failure(state, 400, error.errorCode, error.message);
    throw error;
  };

  const unsupportedType = (object: string, soql: string): EmulatorReply =>
    failure(
      state,
      400,
      'INVALID_TYPE',
      `\n${soql}\n^\nERROR at Row:1:Column:1\nsObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );

  const startQuery = (request: EmulatorRequest, tooling: boolean): EmulatorReply => {
    const version = request.params.version ?? '';
    const soql = request.query.get('q');
    if (soql === null || soql.trim() === '') {
      return failure(state, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
    }
    let records: Record<string, unknown>[];
    try {
      const query = parseSoql(soql);
      const object = query.object.toLowerCase();
      if (!tooling && object === 'user') {
        const rows = state.users.map((u) => userRow(u, version));
        records = runQuery(
          query,
          soql,
          rows,
          rows[0] ?? userRow(user('', '', ''), version),
          (r) => r,
        );
      } else if (!tooling && object === 'recordtype') {
        const rows = state.recordTypes.map((r) => ({
          attributes: {
            type: 'RecordType',
            url: `/services/data/${version}/sobjects/RecordType/${r.Id}`,
          },
          ...r,
        }));
        const sample = rows[0] ?? { ...recordType('', '', ''), attributes: {} };
        records = runQuery(query, soql, rows, sample, (r) => r);
      } else if (!tooling && object === 'opportunitystage') {
        const rows = state.stages.map((s) => ({
          attributes: {
            type: 'OpportunityStage',
            url: `/services/data/${version}/sobjects/OpportunityStage/${s.Id}`,
          },
          ...s,
        }));
        const sample = rows[0] ?? { ...stage(0, '', 0, ''), attributes: {} };
        records = runQuery(query, soql, rows, sample, (r) => r);
      } else if (!tooling && object === 'opportunity') {
        // Only the custom fields the session's user may read exist for its SOQL (INVALID_FIELD).
        const userId = sessionUserId(request);
        const sample: Record<string, unknown> = {
          attributes: { type: 'Opportunity' },
          ...Object.fromEntries(OPPORTUNITY_FIELDS.map((f) => [f, null])),
          ...Object.fromEntries(
            state.customFields
              .filter(
                (f) =>
                  f.TableEnumOrId === 'Opportunity' &&
                  fieldAccess(state, userId, `Opportunity.${f.DeveloperName}__c`).read,
              )
              .map((f) => [`${f.DeveloperName}__c`, null]),
          ),
        };
        const rows = state.opportunities.map((o) => ({
          ...Object.fromEntries(Object.keys(sample).map((key) => [key, o[key] ?? null])),
          attributes: {
            type: 'Opportunity',
            url: `/services/data/${version}/sobjects/Opportunity/${String(o.Id)}`,
          },
        }));
        records = runQuery(query, soql, rows, sample, (r) => r);
      } else if (!tooling && object in SECURITY_OBJECTS) {
        const type = SECURITY_OBJECTS[object as keyof typeof SECURITY_OBJECTS];
        const rows = securityRows(type).map((r) => ({
          attributes: { type, url: `/services/data/${version}/sobjects/${type}/${r.Id}` },
          ...r,
        }));
        records = runQuery(
          query,
          soql,
          rows,
          { attributes: {}, ...SECURITY_SAMPLES[type] },
          (r) => r,
        );
      } else if (tooling && object === 'customfield') {
        const rows = state.customFields.map((f) => customFieldOut(f, version, false));
        const sample = customFieldOut(picklistField('', '', '', []), version, false);
        const wantsMetadata = query.fields.some((f) => /^(metadata|fullname)$/i.test(f));
        records = runQuery(query, soql, rows, sample, (row) => {
          if (!wantsMetadata) return row;
          const field = fieldById(String(row.Id));
          return field ? customFieldOut(field, version, true) : row;
        });
        if (wantsMetadata && records.length > 1) {
          return failure(
            state,
            400,
            'MALFORMED_QUERY',
            `When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval. Result size: ${records.length}`,
          );
        }
      } else {
        return unsupportedType(query.object, soql);
      }
    } catch (error) {
      return soqlFailure(error);
    }
    state.sequence += 1;
    const cursorId = `01gHs0000${String(state.sequence).padStart(6, '0')}AAA`;
    state.cursors.set(cursorId, { records, tooling, pageSize: pageSizeOf(request) });
    return ok(state, page(cursorId, 0, version));
  };

  const moreQuery = (request: EmulatorRequest): EmulatorReply => {
    const match = /^(.+)-(\d+)$/.exec(request.params.locator ?? '');
    const cursorId = match?.[1];
    if (!cursorId || !state.cursors.has(cursorId)) {
      return failure(state, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return ok(state, page(cursorId, Number(match[2]), request.params.version ?? ''));
  };

  const notPermitted = (): EmulatorReply =>
    failure(
      state,
      403,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      'insufficient access rights on object id: you need the Customize Application permission to modify metadata',
    );

  const versioned =
    (handler: (request: EmulatorRequest) => EmulatorReply) =>
    (request: EmulatorRequest): EmulatorReply =>
      versionOk(request)
        ? handler(request)
        : failure(state, 404, 'NOT_FOUND', 'The requested resource does not exist');

  const securityRows = (type: SecurityObject): { Id: string }[] =>
    type === 'PermissionSet'
      ? state.permissionSets
      : type === 'FieldPermissions'
        ? state.fieldPermissions
        : state.permissionSetAssignments;

  const created = (id: string): EmulatorReply => ok(state, { id, success: true, errors: [] }, 201);

  const duplicate = (message: string, fields: string[]): EmulatorReply =>
    failure(state, 400, 'DUPLICATE_VALUE', message, fields);

  const badReference = (field: string): EmulatorReply =>
    failure(state, 400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${field}`, [
      field,
    ]);

  const editNeedsRead = (): EmulatorReply =>
    failure(
      state,
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'Permission Edit depends on permission(s): Read',
      ['PermissionsEdit'],
    );

  const permissionsNotPermitted = (): EmulatorReply =>
    failure(
      state,
      403,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      'insufficient access rights on object id: you need the Manage Profiles and Permission Sets and Assign Permission Sets permissions',
    );

  const createPermissionSet = (body: unknown): EmulatorReply => {
    if (faults().permissionsNotPermitted) return permissionsNotPermitted();
    const parsed = permissionSetCreate.safeParse(body);
    if (!parsed.success) return zodFailure(state, parsed.error);
    const { Name, Label, Description } = parsed.data;
    // The API name rule of PermissionSet.Name (object reference).
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(Name) || Name.endsWith('_') || Name.includes('__')) {
      return failure(
        state,
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'The API name must begin with a letter, use only alphanumeric characters and underscores, not end with an underscore and not contain two consecutive underscores.',
        ['Name'],
      );
    }
    const taken = state.permissionSets.find(
      (ps) => ps.NamespacePrefix === null && ps.Name.toLowerCase() === Name.toLowerCase(),
    );
    if (taken) {
      return duplicate(
        `duplicate value found: Name duplicates value on record with id: ${taken.Id}`,
        ['Name'],
      );
    }
    const permissionSet: SalesforcePermissionSet = {
      Id: nextId('0PS'),
      Name,
      Label,
      Description: Description ?? null,
      IsOwnedByProfile: false,
      IsCustom: true,
      NamespacePrefix: null,
      LicenseId: null,
    };
    state.permissionSets.push(permissionSet);
    return created(permissionSet.Id);
  };

  const createFieldPermissions = (body: unknown): EmulatorReply => {
    if (faults().permissionsNotPermitted) return permissionsNotPermitted();
    const parsed = fieldPermissionsCreate.safeParse(body);
    if (!parsed.success) return zodFailure(state, parsed.error);
    const { ParentId, SobjectType, Field } = parsed.data;
    const read = parsed.data.PermissionsRead ?? false;
    const edit = parsed.data.PermissionsEdit ?? false;
    const parent = state.permissionSets.find((ps) => sameId(ps.Id, ParentId));
    if (!parent) return badReference('ParentId');
    // Field is a restricted picklist of the org's fields, prefixed with the SobjectType.
    const exists = state.customFields.some(
      (f) => `${f.TableEnumOrId}.${f.DeveloperName}__c`.toLowerCase() === Field.toLowerCase(),
    );
    if (!exists || !Field.toLowerCase().startsWith(`${SobjectType.toLowerCase()}.`)) {
      return failure(
        state,
        400,
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `bad value for restricted picklist field: ${Field}`,
        ['Field'],
      );
    }
    if (edit && !read) return editNeedsRead();
    const twin = state.fieldPermissions.find(
      (fp) => sameId(fp.ParentId, parent.Id) && fp.Field.toLowerCase() === Field.toLowerCase(),
    );
    if (twin) {
      return duplicate(`duplicate value found: duplicates value on record with id: ${twin.Id}`, [
        'Field',
      ]);
    }
    const id = nextId('01k');
    // A row without read is not kept (FieldPermissions, object reference).
    if (read) {
      state.fieldPermissions.push({
        Id: id,
        ParentId: parent.Id,
        SobjectType,
        Field,
        PermissionsRead: read,
        PermissionsEdit: edit,
      });
    }
    return created(id);
  };

  const createAssignment = (body: unknown): EmulatorReply => {
    if (faults().permissionsNotPermitted) return permissionsNotPermitted();
    const parsed = assignmentCreate.safeParse(body);
    if (!parsed.success) return zodFailure(state, parsed.error);
    const { PermissionSetId, AssigneeId } = parsed.data;
    const permissionSet = state.permissionSets.find((ps) => sameId(ps.Id, PermissionSetId));
    // A profile's own permission set comes with the profile: it cannot be assigned.
    if (!permissionSet || permissionSet.IsOwnedByProfile) return badReference('PermissionSetId');
    const assignee = state.users.find((u) => u.IsActive && sameId(u.Id, AssigneeId));
    if (!assignee) return badReference('AssigneeId');
    const twin = state.permissionSetAssignments.find(
      (a) => sameId(a.PermissionSetId, permissionSet.Id) && sameId(a.AssigneeId, assignee.Id),
    );
    if (twin) return duplicate('Duplicate PermissionSetAssignment', ['AssigneeId']);
    const id = nextId('0Pa');
    state.permissionSetAssignments.push({
      Id: id,
      PermissionSetId: permissionSet.Id,
      AssigneeId: assignee.Id,
      IsActive: true,
    });
    return created(id);
  };

  /** The User Id the request's session acts as. */
  const sessionUserId = (request: EmulatorRequest): string | undefined => {
    const token = sessionToken(request);
    if (token === undefined) return undefined;
    const issued = state.oauth.checkAccessToken(token);
    return issued?.status === 'ok' ? issued.personId : state.tokens.get(token);
  };

  const userOfToken = (request: EmulatorRequest): SalesforceUser | undefined => {
    const id = sessionUserId(request);
    return state.users.find((u) => u.Id === id);
  };

  return [
    {
      method: 'GET',
      pattern: '/services/data',
      auth: false,
      handler: () =>
        ok(
          state,
          [58, 59, 60, 61, 62].map((n) => ({
            label: `v${n}`,
            url: `/services/data/v${n}.0`,
            version: `${n}.0`,
          })),
        ),
    },
    // The consent page (web server flow: response_type=code, PKCE S256 optional).
    ...state.oauth.consentRoutes('/services/oauth2/authorize'),
    {
      // The authorization code and refresh grants (form body; client credentials in the form
      // or as HTTP Basic). Errors: 400 `{error, error_description}`.
      method: 'POST',
      pattern: '/services/oauth2/token',
      auth: false,
      handler: (request) => {
        const params = requestParams(request);
        const client = clientCredentials(request, params);
        const grantType = params.grant_type;
        if (grantType === 'authorization_code' || grantType === 'refresh_token') {
          if (!client.clientId) {
            state.oauth.recordTokenRequest(grantType);
            return tokenError(state, 'invalid_client_id', 'client identifier invalid');
          }
          return tokenReply(state, request, state.oauth.token(params, client));
        }
        state.oauth.recordTokenRequest(grantType ?? '');
        return tokenError(state, 'unsupported_grant_type', 'grant type not supported');
      },
    },
    {
      // The version's resource directory; jsforce's identity() reads `identity` from it.
      method: 'GET',
      pattern: '/services/data/:version',
      handler: versioned((request) => {
        const u = userOfToken(request);
        const base = baseUrlOf(request);
        const v = `/services/data/${request.params.version ?? ''}`;
        return ok(state, {
          tooling: `${v}/tooling`,
          query: `${v}/query`,
          sobjects: `${v}/sobjects`,
          limits: `${v}/limits`,
          identity: `${base}/id/${SALESFORCE_ORG_ID}/${u?.Id ?? ''}`,
        });
      }),
    },
    {
      // The Identity URL (the token response's `id`): who the session belongs to.
      method: 'GET',
      pattern: '/id/:orgId/:userId',
      handler: (request) => {
        const u = userOfToken(request);
        if (!u || request.params.userId !== u.Id || request.params.orgId !== SALESFORCE_ORG_ID) {
          return failure(state, 403, 'INSUFFICIENT_ACCESS', 'Bad_Id');
        }
        const base = baseUrlOf(request);
        return ok(state, {
          id: `${base}/id/${SALESFORCE_ORG_ID}/${u.Id}`,
          asserted_user: true,
          user_id: u.Id,
          organization_id: SALESFORCE_ORG_ID,
          username: u.Username,
          nick_name: u.FirstName.toLowerCase(),
          display_name: u.Name,
          email: u.Email,
          email_verified: true,
          first_name: u.FirstName,
          last_name: u.LastName,
          active: u.IsActive,
          user_type: 'STANDARD',
          language: 'en_US',
          locale: 'en_US',
          utcOffset: -18_000_000,
          last_modified_date: SEEDED_AT,
          urls: identityUrls(base),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/services/oauth2/userinfo',
      handler: (request) => {
        const u = userOfToken(request);
        const base = baseUrlOf(request);
        if (!u) return failure(state, 403, 'INSUFFICIENT_ACCESS', 'Bad_OAuth_Token');
        return ok(state, {
          sub: `${base}/id/${SALESFORCE_ORG_ID}/${u.Id}`,
          user_id: u.Id,
          organization_id: SALESFORCE_ORG_ID,
          preferred_username: u.Username,
          nickname: u.FirstName.toLowerCase(),
          name: u.Name,
          email: u.Email,
          email_verified: true,
          given_name: u.FirstName,
          family_name: u.LastName,
          zoneinfo: 'America/New_York',
          photos: {
            picture: `${base}/profilephoto/005/F`,
            thumbnail: `${base}/profilephoto/005/T`,
          },
          profile: `${base}/${u.Id}`,
          picture: `${base}/profilephoto/005/F`,
          address: { country: 'US' },
          is_salesforce_integration_user: false,
          urls: identityUrls(base),
          active: u.IsActive,
          user_type: 'STANDARD',
          language: 'en_US',
          locale: 'en_US',
          utcOffset: -18_000_000,
          updated_at: SEEDED_AT,
          is_app_installed: true,
        });
      },
    },
    {
      method: 'GET',
      pattern: '/services/data/:version/limits',
      handler: versioned(() =>
        ok(state, {
          DailyApiRequests: { Max: state.apiLimit, Remaining: state.apiLimit - state.apiUsage },
          DailyAsyncApexExecutions: { Max: 250_000, Remaining: 250_000 },
          DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
          DataStorageMB: { Max: 5, Remaining: 5 },
          FileStorageMB: { Max: 20, Remaining: 20 },
        }),
      ),
    },
    {
      method: 'GET',
      pattern: '/services/data/:version/query',
      handler: versioned((request) => startQuery(request, false)),
    },
    {
      method: 'GET',
      pattern: '/services/data/:version/query/:locator',
      handler: versioned(moreQuery),
    },
    {
      method: 'GET',
      pattern: '/services/data/:version/tooling/query',
      handler: versioned((request) => startQuery(request, true)),
    },
    {
      method: 'GET',
      pattern: '/services/data/:version/tooling/query/:locator',
      handler: versioned(moreQuery),
    },
    {
      method: 'GET',
      pattern: '/services/data/:version/sobjects/:sobject/describe',
      handler: versioned((request) => {
        const sobject = request.params.sobject ?? '';
        if (!SOBJECTS.has(sobject)) {
          return failure(state, 404, 'NOT_FOUND', `The requested resource does not exist`);
        }
        const standard =
          sobject === 'Opportunity'
            ? [
                describeField('Id', 'Opportunity ID', 'id'),
                describeField('Name', 'Name', 'string'),
                {
                  ...describeField('StageName', 'Stage', 'picklist'),
                  picklistValues: state.stages
                    .filter((s) => s.IsActive)
                    .map((s) => ({
                      value: s.ApiName,
                      label: s.MasterLabel,
                      active: true,
                      defaultValue: false,
                      validFor: null,
                    })),
                },
                describeField('Amount', 'Amount', 'currency'),
                describeField('CloseDate', 'Close Date', 'date'),
                describeField('OwnerId', 'Owner ID', 'reference'),
                describeField('RecordTypeId', 'Record Type ID', 'reference'),
              ]
            : [describeField('Id', `${sobject} ID`, 'id'), describeField('Name', 'Name', 'string')];
        const userId = sessionUserId(request);
        const custom = state.customFields
          .filter((f) => f.TableEnumOrId === sobject)
          .flatMap((f) => {
            const access = fieldAccess(state, userId, `${sobject}.${f.DeveloperName}__c`);
            return access.read ? [{ field: f, edit: access.edit }] : [];
          })
          .map(({ field: f, edit }) => ({
            ...describeField(
              `${f.DeveloperName}__c`,
              f.metadata.label,
              f.metadata.type.toLowerCase() === 'number' ? 'double' : f.metadata.type.toLowerCase(),
              true,
            ),
            createable: edit,
            updateable: edit,
            picklistValues: (f.valueSet?.values ?? [])
              .filter((v) => v.isActive)
              .map((v) => ({
                value: v.fullName,
                label: v.label,
                active: true,
                defaultValue: v.default,
                validFor: null,
              })),
          }));
        return ok(state, {
          name: sobject,
          label: sobject,
          custom: false,
          keyPrefix: sobject === 'Opportunity' ? '006' : null,
          fields: [...standard, ...custom],
          recordTypeInfos:
            sobject === 'Opportunity'
              ? state.recordTypes
                  .filter((r) => r.SobjectType === 'Opportunity' && r.IsActive)
                  .map((r) => ({
                    recordTypeId: r.Id,
                    name: r.Name,
                    developerName: r.DeveloperName,
                    active: r.IsActive,
                    available: true,
                    defaultRecordTypeMapping: r.DeveloperName === 'New_Business',
                    master: false,
                  }))
              : [],
        });
      }),
    },
    {
      method: 'POST',
      pattern: '/services/data/:version/sobjects/:sobject',
      handler: versioned((request) => {
        const sobject = request.params.sobject ?? '';
        if (sobject === 'PermissionSet') return createPermissionSet(request.body);
        if (sobject === 'FieldPermissions') return createFieldPermissions(request.body);
        if (sobject === 'PermissionSetAssignment') return createAssignment(request.body);
        return failure(state, 404, 'NOT_FOUND', 'The requested resource does not exist');
      }),
    },
    {
      method: 'PATCH',
      pattern: '/services/data/:version/sobjects/FieldPermissions/:id',
      handler: versioned((request) => {
        const row = state.fieldPermissions.find((fp) => sameId(fp.Id, request.params.id ?? ''));
        if (!row) return failure(state, 404, 'NOT_FOUND', 'The requested resource does not exist');
        if (faults().permissionsNotPermitted) return permissionsNotPermitted();
        const parsed = fieldPermissionsUpdate.safeParse(request.body);
        if (!parsed.success) return zodFailure(state, parsed.error);
        const read = parsed.data.PermissionsRead ?? row.PermissionsRead;
        const edit = parsed.data.PermissionsEdit ?? row.PermissionsEdit;
        if (edit && !read) return editNeedsRead();
        // A row that no longer grants read is deleted (FieldPermissions, object reference).
        if (!read) state.fieldPermissions.splice(state.fieldPermissions.indexOf(row), 1);
        row.PermissionsRead = read;
        row.PermissionsEdit = edit;
        return ok(state, undefined, 204);
      }),
    },
    {
      method: 'POST',
      pattern: '/services/data/:version/tooling/sobjects/CustomField',
      handler: versioned((request) => {
        if (faults().metadataNotPermitted) return notPermitted();
        const parsed = customFieldCreate.safeParse(request.body);
        if (!parsed.success) return zodFailure(state, parsed.error);
        const { FullName, Metadata } = parsed.data;
        const name = /^(\w+)\.([A-Za-z][A-Za-z0-9_]{0,39})__c$/.exec(FullName);
        if (!name?.[1] || !name[2] || name[2].endsWith('_') || name[2].includes('__')) {
          return failure(
            state,
            400,
            'FIELD_INTEGRITY_EXCEPTION',
            `The custom field name you provided ${FullName} is not valid`,
            ['FullName'],
          );
        }
        const [, table, developerName] = name;
        if (!SOBJECTS.has(table)) {
          return failure(state, 400, 'INVALID_TYPE', `Cannot find entity: ${table}`, ['FullName']);
        }
        const duplicate = state.customFields.some(
          (f) =>
            f.TableEnumOrId === table &&
            f.DeveloperName.toLowerCase() === developerName.toLowerCase(),
        );
        if (duplicate) {
          return failure(
            state,
            400,
            'DUPLICATE_DEVELOPER_NAME',
            `There is already a field named ${developerName} on ${table}.`,
            ['DeveloperName'],
          );
        }
        const { valueSet, ...rest } = Metadata;
        let fieldValueSet: SalesforceCustomField['valueSet'] = null;
        if (Metadata.type.toLowerCase() === 'picklist') {
          const definition = valueSet?.valueSetDefinition;
          if (!definition || definition.value.length === 0) {
            return failure(
              state,
              400,
              'FIELD_INTEGRITY_EXCEPTION',
              'Picklist must have at least one value',
              ['valueSet'],
            );
          }
          const values = readValues(definition.value);
          if (!Array.isArray(values)) {
            return failure(state, 400, 'FIELD_INTEGRITY_EXCEPTION', values.message, [values.field]);
          }
          fieldValueSet = {
            restricted: valueSet.restricted ?? false,
            sorted: definition.sorted ?? false,
            values,
          };
        }
        const now = new Date().toISOString().replace('Z', '+0000');
        const field: SalesforceCustomField = {
          Id: nextId('00N'),
          TableEnumOrId: table,
          DeveloperName: developerName,
          NamespacePrefix: null,
          metadata: { ...rest, description: Metadata.description ?? null },
          valueSet: fieldValueSet,
          CreatedDate: now,
          LastModifiedDate: now,
        };
        state.customFields.push(field);
        return ok(state, { id: field.Id, success: true, errors: [], warnings: [], infos: [] }, 201);
      }),
    },
    {
      method: 'GET',
      pattern: '/services/data/:version/tooling/sobjects/CustomField/:id',
      handler: versioned((request) => {
        const id = request.params.id ?? '';
        if (!/^00N[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/.test(id)) {
          return failure(state, 400, 'MALFORMED_ID', `malformed id ${id}`);
        }
        const field = fieldById(id);
        if (!field)
          return failure(state, 404, 'NOT_FOUND', 'The requested resource does not exist');
        return ok(state, customFieldOut(field, request.params.version ?? '', true));
      }),
    },
    {
      method: 'PATCH',
      pattern: '/services/data/:version/tooling/sobjects/CustomField/:id',
      handler: versioned((request) => {
        const id = request.params.id ?? '';
        const field = fieldById(id);
        if (!field)
          return failure(state, 404, 'NOT_FOUND', 'The requested resource does not exist');
        if (faults().metadataNotPermitted) return notPermitted();
        const parsed = customFieldUpdate.safeParse(request.body);
        if (!parsed.success) return zodFailure(state, parsed.error);
        const { FullName, Metadata } = parsed.data;
        if (
          FullName !== undefined &&
          FullName !== `${field.TableEnumOrId}.${field.DeveloperName}__c`
        ) {
          return failure(state, 400, 'FIELD_INTEGRITY_EXCEPTION', 'FullName cannot be changed', [
            'FullName',
          ]);
        }
        const { valueSet, ...rest } = Metadata;
        if (field.valueSet) {
          const definition = valueSet?.valueSetDefinition;
          if (!definition || definition.value.length === 0) {
            return failure(
              state,
              400,
              'FIELD_INTEGRITY_EXCEPTION',
              'Picklist must have at least one value',
              ['valueSet'],
            );
          }
          const given = readValues(definition.value);
          if (!Array.isArray(given)) {
            return failure(state, 400, 'FIELD_INTEGRITY_EXCEPTION', given.message, [given.field]);
          }
          // The value set is replaced: values left out stay in the org, but inactive.
          const kept = new Set(given.map((v) => v.fullName.toLowerCase()));
          const dropped = field.valueSet.values
            .filter((v) => !kept.has(v.fullName.toLowerCase()))
            .map((v) => ({ ...v, isActive: false, default: false }));
          field.valueSet = {
            restricted: valueSet.restricted ?? field.valueSet.restricted,
            sorted: definition.sorted ?? field.valueSet.sorted,
            values: [...given, ...dropped],
          };
        }
        field.metadata = { ...rest, description: Metadata.description ?? null };
        field.LastModifiedDate = new Date().toISOString().replace('Z', '+0000');
        return ok(state, undefined, 204);
      }),
    },
  ];
}

/** A Salesforce emulator whose in-memory org tests can read and arrange. */
export class SalesforceEmulator extends EmulatorServer {
  readonly state: SalesforceState;

  constructor(state: SalesforceState) {
    super(salesforceBehaviour(state), (faults) => salesforceRoutes(state, faults));
    this.state = state;
  }

  /** The authorization server's knobs (lifetime, rotation, expire, revoke, token requests). */
  get oauth(): OAuthControl {
    return this.state.oauth;
  }

  /** Registers an OAuth app with the authorization server. */
  addOAuthClient(client: {
    clientId: string;
    clientSecret: string;
    redirectUris?: string[];
  }): void {
    this.state.oauthClients.push(client);
  }

  /** A new session acting as the user: tests look at the org through that user's eyes. */
  issueSession(userId: string): string {
    return mintSession(this.state, userId);
  }

  /** The custom field with that DeveloperName (no `__c`) on the object, if any. */
  customField(developerName: string, table = 'Opportunity'): SalesforceCustomField | undefined {
    return this.state.customFields.find(
      (f) => f.TableEnumOrId === table && f.DeveloperName === developerName,
    );
  }
}

export function createSalesforceEmulator(seed?: Partial<SalesforceSeed>): SalesforceEmulator {
  return new SalesforceEmulator(createSalesforceState(seed));
}
