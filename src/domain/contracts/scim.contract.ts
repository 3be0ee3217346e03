import { z } from 'zod';

/**
 * SCIM's contract: the console's SCIM tokens (/api/scim-tokens, JSON and problem+json like the
 * rest of /api), and the SCIM 2.0 service at /scim/v2 (RFC 7643 resources, RFC 7644 protocol),
 * which answers in `application/scim+json` with SCIM's own error body (RFC 7644 §3.12), never a
 * problem. The routes declare these as their responses and the services return their types.
 *
 * SCIM resources are loose objects: an identity provider's client may meet attributes and
 * extensions (RFC 7643 §3.3) beyond the ones listed, and the response serializer must pass them
 * through rather than strip them.
 */

// --- tokens (console) ----------------------------------------------------------------------------

/** A SCIM token as the console lists it: never the token, only its last 4 characters. */
export const scimTokenSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string().describe('The last 4 characters of the token'),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable().describe('Recorded at most once a minute'),
  revokedAt: z.date().nullable(),
});
export type ScimTokenSummary = z.infer<typeof scimTokenSummarySchema>;

/** GET /api/scim-tokens: the organization's tokens, newest first (revoked ones included). */
export const scimTokenListSchema = z.array(scimTokenSummarySchema);

/** POST /api/scim-tokens. */
export const createScimTokenBodySchema = z.strictObject({ name: z.string().max(200) });
export type CreateScimTokenBody = z.infer<typeof createScimTokenBodySchema>;

/** The token just created: `token` is in this response only (it is stored hashed). */
export const createdScimTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  token: z.string().describe('Shown this once: only its hash is stored'),
  createdAt: z.date(),
});
export type CreatedScimToken = z.infer<typeof createdScimTokenSchema>;

// --- the SCIM 2.0 service ------------------------------------------------------------------------

/** The media type of every SCIM request and answer body (RFC 7644 §3.1). */
export const SCIM_MEDIA_TYPE = 'application/scim+json';

/** Schema URNs (RFC 7643 §8.7, RFC 7644 §3). */
export const SCIM_SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** The RFC 7644 §3.12 error types this server answers with. */
export const SCIM_TYPES = [
  'invalidFilter',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'tooMany',
] as const;
export type ScimType = (typeof SCIM_TYPES)[number];

/** A SCIM error (RFC 7644 §3.12): every 4xx and 5xx of /scim/v2. */
export const scimErrorSchema = z
  .object({
    schemas: z.array(z.literal(SCIM_SCHEMA.error)),
    status: z.string().describe('The HTTP status, as a string'),
    scimType: z.enum(SCIM_TYPES).optional(),
    detail: z.string().describe('What happened, in a sentence a person can act on'),
  })
  .describe('A SCIM error (RFC 7644 §3.12)');
export type ScimErrorBody = z.infer<typeof scimErrorSchema>;

const schemasOf = z.array(z.string()).describe('The schema URNs of this resource');

/**
 * A reference to another resource (RFC 7643 §2.4): its id, a display value and `$ref`, the
 * resource's URI. `$ref` is not named in the schema (the OpenAPI tooling reads a property so
 * named as a JSON Schema reference); the loose object carries it.
 */
function referenceTo(resource: 'Group' | 'User', display: string) {
  return z
    .looseObject({ value: z.string(), display: z.string().describe(display) })
    .describe(`A ${resource}: \`value\` its id, \`$ref\` its URI`);
}

const resourceMeta = z.looseObject({
  resourceType: z.string(),
  created: z.string().describe('ISO 8601'),
  lastModified: z.string().describe('ISO 8601'),
  location: z.string(),
});

/** A member as a SCIM User (RFC 7643 §4.1): `userName` and the one email are their email. */
export const scimUserSchema = z
  .looseObject({
    schemas: schemasOf,
    id: z.string(),
    externalId: z.string().optional().describe("The identity provider's id of the user"),
    userName: z.string(),
    name: z.looseObject({
      formatted: z.string(),
      givenName: z.string(),
      familyName: z.string().optional(),
    }),
    displayName: z.string(),
    emails: z.array(z.looseObject({ value: z.string(), type: z.string(), primary: z.boolean() })),
    active: z.boolean().describe('false only when access is off (deactivated)'),
    groups: z
      .array(referenceTo('Group', "The team's name"))
      .describe("The member's teams (read-only: change them through Groups)"),
    meta: resourceMeta,
  })
  .describe('A SCIM User (RFC 7643 §4.1)');
export type ScimUser = z.infer<typeof scimUserSchema>;

/** A team as a SCIM Group (RFC 7643 §4.2). */
export const scimGroupSchema = z
  .looseObject({
    schemas: schemasOf,
    id: z.string(),
    displayName: z.string(),
    members: z
      .array(referenceTo('User', "The member's email"))
      .optional()
      .describe('Absent with `excludedAttributes=members`'),
    meta: resourceMeta,
  })
  .describe('A SCIM Group (RFC 7643 §4.2)');
export type ScimGroup = z.infer<typeof scimGroupSchema>;

/** A ListResponse (RFC 7644 §3.4.2) of one resource type. */
function listResponseOf<T extends z.ZodType>(resource: T) {
  return z.object({
    schemas: z.array(z.literal(SCIM_SCHEMA.listResponse)),
    totalResults: z.number().int(),
    startIndex: z.number().int(),
    itemsPerPage: z.number().int(),
    Resources: z.array(resource),
  });
}
/** A ListResponse whose resources are `T`. */
export type ScimListResponse<T> = Omit<z.infer<ReturnType<typeof listResponseOf>>, 'Resources'> & {
  Resources: T[];
};

export const scimUserListSchema = listResponseOf(scimUserSchema).describe('A page of Users');
export const scimGroupListSchema = listResponseOf(scimGroupSchema).describe('A page of Groups');

const supported = z.looseObject({ supported: z.boolean() });

/** GET /ServiceProviderConfig (RFC 7643 §5). */
export const scimServiceProviderConfigSchema = z.looseObject({
  schemas: schemasOf,
  documentationUri: z.string(),
  patch: supported,
  bulk: supported.extend({ maxOperations: z.number().int(), maxPayloadSize: z.number().int() }),
  filter: supported.extend({ maxResults: z.number().int() }),
  changePassword: supported,
  sort: supported,
  etag: supported,
  authenticationSchemes: z.array(
    z.looseObject({
      type: z.string(),
      name: z.string(),
      description: z.string(),
      primary: z.boolean(),
    }),
  ),
  meta: z.looseObject({ resourceType: z.string(), location: z.string() }),
});
export type ScimServiceProviderConfig = z.infer<typeof scimServiceProviderConfigSchema>;

/** One ResourceType (RFC 7643 §6). */
export const scimResourceTypeSchema = z.looseObject({
  schemas: schemasOf,
  id: z.string(),
  name: z.string(),
  endpoint: z.string(),
  description: z.string(),
  schema: z.string(),
  schemaExtensions: z.array(z.looseObject({ schema: z.string(), required: z.boolean() })),
  meta: z.looseObject({ resourceType: z.string(), location: z.string() }),
});
export type ScimResourceType = z.infer<typeof scimResourceTypeSchema>;

/** An attribute's characteristics (RFC 7643 §2.2, §7), without its sub-attributes. */
const attributeFields = {
  name: z.string(),
  type: z.enum([
    'string',
    'boolean',
    'decimal',
    'integer',
    'dateTime',
    'binary',
    'reference',
    'complex',
  ]),
  multiValued: z.boolean(),
  description: z.string(),
  required: z.boolean(),
  caseExact: z.boolean(),
  mutability: z.enum(['readOnly', 'readWrite', 'immutable', 'writeOnly']),
  returned: z.enum(['always', 'never', 'default', 'request']),
  uniqueness: z.enum(['none', 'server', 'global']),
  referenceTypes: z.array(z.string()).optional(),
};
/**
 * An attribute of a Schema. Only a complex attribute has sub-attributes, and a sub-attribute
 * never has its own (RFC 7643 §2.3.8): two levels, no recursion.
 */
export const scimSchemaAttributeSchema = z.looseObject({
  ...attributeFields,
  subAttributes: z.array(z.looseObject(attributeFields)).optional(),
});
export type ScimSchemaAttribute = z.infer<typeof scimSchemaAttributeSchema>;

/** One Schema (RFC 7643 §7): the attributes Ergo keeps of a resource type. */
export const scimSchemaSchema = z.looseObject({
  schemas: schemasOf,
  id: z.string(),
  name: z.string(),
  description: z.string(),
  attributes: z.array(scimSchemaAttributeSchema),
  meta: z.looseObject({ resourceType: z.string(), location: z.string() }),
});
export type ScimSchema = z.infer<typeof scimSchemaSchema>;

export const scimResourceTypeListSchema = listResponseOf(scimResourceTypeSchema).describe(
  'The resource types (User, Group)',
);
export const scimSchemaListSchema = listResponseOf(scimSchemaSchema).describe(
  'The User and Group schemas',
);

/** A body declared as `application/scim+json` (for the OpenAPI document and the serializer). */
interface ScimBody<T> {
  description: string;
  content: { [SCIM_MEDIA_TYPE]: { schema: T } };
}

function scimBody<T extends z.ZodType>(schema: T): ScimBody<T> {
  return { description: schema.description ?? 'SCIM', content: { [SCIM_MEDIA_TYPE]: { schema } } };
}

/** The SCIM error for every error status of a /scim/v2 route. */
export const scimErrors = {
  '4xx': scimBody(scimErrorSchema),
  '5xx': scimBody(scimErrorSchema),
};

/**
 * A /scim/v2 route's responses: its success bodies and the SCIM error for every error status,
 * all as `application/scim+json` (the service sets that type before a body is serialized). A
 * 204 has no body: `{ 204: noContent, ...scimErrors }`.
 */
export function withScimErrors<const S extends Record<number, z.ZodType>>(
  success: S,
): { [K in keyof S]: ScimBody<S[K]> } & typeof scimErrors {
  const bodies = Object.fromEntries(
    Object.entries(success).map(([status, schema]) => [status, scimBody(schema)]),
  ) as { [K in keyof S]: ScimBody<S[K]> };
  return { ...bodies, ...scimErrors };
}
