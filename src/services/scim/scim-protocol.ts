import {
  SCIM_SCHEMA,
  type ScimErrorBody,
  type ScimGroup,
  type ScimListResponse,
  type ScimResourceType,
  type ScimSchema,
  type ScimSchemaAttribute,
  type ScimServiceProviderConfig,
  type ScimType,
  type ScimUser,
} from '#src/domain/contracts/scim.contract.ts';
import { AppError, HTTP_STATUS_BY_CODE } from '#src/domain/errors.ts';
import type { ScimGroupRow, ScimUserRow } from '#src/repositories/scim-token.repository.ts';

/**
 * SCIM 2.0 wire format (RFC 7643 resources, RFC 7644 protocol): schema URNs, resource JSON,
 * filters, paging, PATCH operations and the error body. Pure: no I/O.
 */
export const SCHEMA = SCIM_SCHEMA;

/** A SCIM refusal is an AppError whose details carry the RFC 7644 `scimType`. */
export function scimError(
  code: 'invalid_request' | 'not_found' | 'forbidden',
  scimType: ScimType | undefined,
  message: string,
): AppError {
  return new AppError(code, message, scimType === undefined ? {} : { scimType });
}

/**
 * The SCIM error body (RFC 7644 §3.12) for an AppError: `uniqueness` is a 409, the other
 * scimTypes a 400; otherwise the app's status for the code (`email_taken` reads as uniqueness).
 */
export function scimErrorOf(error: AppError): { status: number; body: ScimErrorBody } {
  const given = error.details?.scimType as ScimType | undefined;
  const scimType = given ?? (error.code === 'email_taken' ? 'uniqueness' : undefined);
  const status =
    scimType === 'uniqueness'
      ? 409
      : scimType !== undefined
        ? 400
        : HTTP_STATUS_BY_CODE[error.code];
  return { status, body: errorBody(status, error.message, scimType) };
}

export function errorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return {
    schemas: [SCHEMA.error],
    status: String(status),
    ...(scimType === undefined ? {} : { scimType }),
    detail,
  };
}

// --- resources ---------------------------------------------------------------------------------

/** How a user's one `name` reads as SCIM's name parts: the first word, then the rest. */
export function nameParts(name: string): { givenName: string; familyName: string } {
  const trimmed = name.trim();
  const space = trimmed.indexOf(' ');
  return space < 0
    ? { givenName: trimmed, familyName: '' }
    : { givenName: trimmed.slice(0, space), familyName: trimmed.slice(space + 1).trim() };
}

/**
 * A user as a SCIM User. `userName` and the one (work, primary) email are the account's email;
 * `active` is false only when access is off (an invited user is active: provisioned, awaiting
 * setup completion, SPEC §1).
 */
export function userResource(row: ScimUserRow, baseUrl: string): ScimUser {
  const parts = nameParts(row.name);
  return {
    schemas: [SCHEMA.user],
    id: row.id,
    ...(row.externalId === null ? {} : { externalId: row.externalId }),
    userName: row.email,
    name: {
      formatted: row.name,
      givenName: parts.givenName,
      ...(parts.familyName ? { familyName: parts.familyName } : {}),
    },
    displayName: row.name,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: row.status !== 'deactivated',
    groups: row.groups.map((g) => ({
      value: g.id,
      display: g.name,
      $ref: `${baseUrl}/Groups/${g.id}`,
    })),
    meta: {
      resourceType: 'User',
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${row.id}`,
    },
  };
}

export function groupResource(
  row: ScimGroupRow,
  baseUrl: string,
  options: { members: boolean } = { members: true },
): ScimGroup {
  return {
    schemas: [SCHEMA.group],
    id: row.id,
    displayName: row.name,
    ...(options.members
      ? {
          members: row.members.map((m) => ({
            value: m.id,
            display: m.email,
            $ref: `${baseUrl}/Users/${m.id}`,
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: row.createdAt.toISOString(),
      lastModified: row.lastModified.toISOString(),
      location: `${baseUrl}/Groups/${row.id}`,
    },
  };
}

export function listResponse<T>(
  resources: T[],
  total: number,
  startIndex: number,
): ScimListResponse<T> {
  return {
    schemas: [SCHEMA.listResponse],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

// --- paging and filters ------------------------------------------------------------------------

export const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 100;

/** RFC 7644 §3.4.2.4: startIndex below 1 reads as 1; a negative count as 0; count is capped. */
export function paging(query: { startIndex?: string; count?: string }): {
  startIndex: number;
  offset: number;
  limit: number;
} {
  const start = wholeNumber(query.startIndex, 'startIndex') ?? 1;
  const count = wholeNumber(query.count, 'count') ?? DEFAULT_PAGE_SIZE;
  const startIndex = Math.max(1, start);
  return {
    startIndex,
    offset: startIndex - 1,
    limit: Math.min(Math.max(0, count), MAX_PAGE_SIZE),
  };
}

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d{1,9}$/.test(value.trim())) {
    throw scimError('invalid_request', 'invalidValue', `${name} must be a whole number.`);
  }
  return Number(value);
}

/** A filter this server answers: one attribute compared with `eq` to a string. */
export interface EqFilter {
  /** The attribute as named in `attributes`, matched case-insensitively (RFC 7644 §3.4.2.2). */
  attribute: string;
  value: string;
}

const FILTER = /^\s*([A-Za-z][\w:.$-]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i;

/**
 * Parses `<attribute> eq "<value>"` for one of `attributes` (the core schema's URN prefix
 * allowed); anything else is a 400 `invalidFilter` naming what is supported.
 */
export function parseEqFilter(
  filter: string,
  attributes: readonly string[],
  schemaUrn: string,
): EqFilter {
  const supported = attributes.map((a) => `${a} eq "…"`).join(' or ');
  const refuse = () =>
    scimError(
      'invalid_request',
      'invalidFilter',
      `This filter is not supported: use ${supported} (one attribute, the eq operator, a quoted value).`,
    );
  const match = FILTER.exec(filter);
  if (!match) throw refuse();
  let name = match[1] ?? '';
  const prefix = `${schemaUrn}:`.toLowerCase();
  if (name.toLowerCase().startsWith(prefix)) name = name.slice(prefix.length);
  const attribute = attributes.find((a) => a.toLowerCase() === name.toLowerCase());
  if (attribute === undefined) throw refuse();
  let value: unknown;
  try {
    value = JSON.parse(match[2] ?? '');
  } catch {
    throw refuse();
  }
  if (typeof value !== 'string') throw refuse();
  return { attribute, value };
}

// --- PATCH ---------------------------------------------------------------------------------------

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  /** Lower-cased, without the resource's core schema URN prefix; undefined when absent. */
  path: string | undefined;
  /** The path as sent (for error messages). */
  rawPath: string | undefined;
  value: unknown;
}

/**
 * The operations of a PatchOp body (RFC 7644 §3.5.2). `op` in any case: Entra ID sends
 * "Replace", "Add", "Remove".
 */
export function patchOperations(body: unknown, schemaUrn: string): PatchOperation[] {
  const operations = (body as { Operations?: unknown } | undefined)?.Operations;
  if (!Array.isArray(operations) || operations.length === 0) {
    throw scimError(
      'invalid_request',
      'invalidSyntax',
      'A PATCH body needs an "Operations" array with at least one operation.',
    );
  }
  return operations.map((raw: unknown, index) => {
    const operation = (raw ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
    const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : undefined;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw scimError(
        'invalid_request',
        'invalidSyntax',
        `Operation ${index + 1}: "op" must be "add", "replace" or "remove".`,
      );
    }
    if (operation.path !== undefined && typeof operation.path !== 'string') {
      throw scimError(
        'invalid_request',
        'invalidPath',
        `Operation ${index + 1}: "path" is not text.`,
      );
    }
    const rawPath = operation.path?.trim() || undefined;
    let path = rawPath?.toLowerCase();
    const prefix = `${schemaUrn}:`.toLowerCase();
    if (path?.startsWith(prefix)) path = path.slice(prefix.length);
    if (op === 'remove' && path === undefined) {
      throw scimError(
        'invalid_request',
        'noTarget',
        `Operation ${index + 1}: "remove" needs a path.`,
      );
    }
    if (op !== 'remove' && operation.value === undefined) {
      throw scimError(
        'invalid_request',
        'invalidValue',
        `Operation ${index + 1}: "${op}" needs a value.`,
      );
    }
    return { op, path, rawPath, value: operation.value };
  });
}

/** SCIM booleans, including Entra ID's strings "True" / "False" (any case). */
export function scimBoolean(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  throw scimError('invalid_request', 'invalidValue', `"${attribute}" must be true or false.`);
}

/** A SCIM string attribute's value, or the 400 `invalidValue` naming it. */
export function scimString(value: unknown, attribute: string): string {
  if (typeof value !== 'string') {
    throw scimError('invalid_request', 'invalidValue', `"${attribute}" must be a string.`);
  }
  return value;
}

/** The member ids of a `members` value: `[{ value: "<id>" }, …]` (or one such object). */
export function memberIds(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    const id = (item as { value?: unknown } | null)?.value;
    if (typeof id !== 'string' || id.length === 0) {
      throw scimError(
        'invalid_request',
        'invalidValue',
        'Each member needs a "value": the id of a User of this organization.',
      );
    }
    return id;
  });
}

const MEMBER_FILTER_PATH = /^members\[\s*value\s+eq\s+("(?:[^"\\]|\\.)*")\s*\]$/i;

/** The user id in Okta's remove path `members[value eq "<id>"]`; undefined for other paths. */
export function memberIdOfPath(rawPath: string | undefined): string | undefined {
  const match = rawPath === undefined ? null : MEMBER_FILTER_PATH.exec(rawPath);
  if (!match) return undefined;
  try {
    const value: unknown = JSON.parse(match[1] ?? '');
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

// --- discovery -----------------------------------------------------------------------------------

export function serviceProviderConfig(baseUrl: string): ScimServiceProviderConfig {
  return {
    schemas: [SCHEMA.serviceProviderConfig],
    documentationUri: 'https://docs.ergo.example/scim',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description:
          'A SCIM token an admin creates in the console (Organization › SCIM tokens), sent as "Authorization: Bearer <token>".',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  };
}

export function resourceTypes(baseUrl: string): ScimResourceType[] {
  return [
    {
      schemas: [SCHEMA.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A member of the organization (userName is their email)',
      schema: SCHEMA.user,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [SCHEMA.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A team of the organization',
      schema: SCHEMA.group,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

function attribute(
  name: string,
  options: {
    type?: 'string' | 'boolean' | 'complex' | 'reference';
    required?: boolean;
    multiValued?: boolean;
    mutability?: 'readOnly' | 'readWrite' | 'immutable';
    uniqueness?: 'none' | 'server';
    caseExact?: boolean;
    description: string;
    subAttributes?: ScimSchemaAttribute[];
    referenceTypes?: string[];
  },
): ScimSchemaAttribute {
  return {
    name,
    type: options.type ?? 'string',
    multiValued: options.multiValued ?? false,
    description: options.description,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
    ...(options.referenceTypes ? { referenceTypes: options.referenceTypes } : {}),
  };
}

/** The attributes Ergo keeps (others sent by an identity provider are accepted and ignored). */
export function schemas(baseUrl: string): ScimSchema[] {
  return [
    {
      schemas: [SCHEMA.schema],
      id: SCHEMA.user,
      name: 'User',
      description: 'A member of the organization',
      attributes: [
        attribute('userName', {
          required: true,
          uniqueness: 'server',
          description: "The member's email address, which they log in with.",
        }),
        attribute('name', {
          type: 'complex',
          description: "The member's name (Ergo keeps one name: given and family names joined).",
          subAttributes: [
            attribute('formatted', { description: 'The full name.' }),
            attribute('givenName', { description: 'The first part of the name.' }),
            attribute('familyName', { description: 'The rest of the name.' }),
          ],
        }),
        attribute('displayName', { description: "The member's name as shown in the console." }),
        attribute('emails', {
          type: 'complex',
          multiValued: true,
          description: 'The email address (the same as userName).',
          subAttributes: [
            attribute('value', { description: 'The address.' }),
            attribute('type', { description: '"work".' }),
            attribute('primary', { type: 'boolean', description: 'Always true.' }),
          ],
        }),
        attribute('active', {
          type: 'boolean',
          description: "false turns the member's access off (deactivated); true turns it back on.",
        }),
        attribute('externalId', {
          caseExact: true,
          description: "The identity provider's id of the user.",
        }),
        attribute('groups', {
          type: 'complex',
          multiValued: true,
          mutability: 'readOnly',
          description: "The member's teams (change them through Groups).",
          subAttributes: [
            attribute('value', { mutability: 'readOnly', description: 'The team id.' }),
            attribute('display', { mutability: 'readOnly', description: 'The team name.' }),
          ],
        }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${SCHEMA.user}` },
    },
    {
      schemas: [SCHEMA.schema],
      id: SCHEMA.group,
      name: 'Group',
      description: 'A team of the organization',
      attributes: [
        attribute('displayName', {
          required: true,
          uniqueness: 'server',
          description: "The team's name.",
        }),
        attribute('members', {
          type: 'complex',
          multiValued: true,
          description: "The team's members.",
          subAttributes: [
            attribute('value', { mutability: 'immutable', description: 'The user id.' }),
            attribute('display', { mutability: 'readOnly', description: "The user's email." }),
          ],
        }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${SCHEMA.group}` },
    },
  ];
}
