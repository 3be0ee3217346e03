import { z } from 'zod';
import {
  OWNER_FIELD,
  type ConnectorOptions,
  type CrmOwner,
  type OwnerPropertyResult,
  type SalesforceCrmConnector,
  type SalesforceRecordTypeInfo,
  type SalesforceStageInfo,
  type VerifyResult,
} from '#src/integrations/crm/crm-connector.ts';
import { parseVendorBody } from '#src/integrations/crm/vendor-body.ts';
import { verifyFailure } from '#src/integrations/crm/verify-failure.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import {
  CrmHttpClient,
  kindForStatus,
  type ClassifiedError,
  type ErrorClassifier,
} from '#src/integrations/crm/crm-http-client.ts';

/**
 * Salesforce over its REST and Tooling APIs (shared/product/crm-api-notes.md §2), pinned to
 * API v60.0, on the credential's instance URL: Bearer auth, `GET /services/oauth2/userinfo` as
 * the token check (it names the user for "Test connection"),
 * users via SOQL paged with `nextRecordsUrl`, and the Opportunity picklist
 * `Assistant_Owner__c` (found by DeveloperName `Assistant_Owner` through the Tooling API) whose
 * values' `fullName` is the owner's User Id. A Tooling PATCH replaces the whole value set and
 * deactivates what it leaves out, so an added value is always merged into the current list.
 *
 * A field the Tooling API creates has no field-level security: no user can see it until a
 * permission set grants it. So after the field step the owner (the member's Salesforce user) is
 * given read and edit through Ergo's own permission set, `Ergo_Assistant_Owner_Access`: the set,
 * its FieldPermissions on the field and the owner's PermissionSetAssignment are each looked up
 * first and created only when missing (docs/crm-vendor-notes.md, "Field-level security").
 */

export const SALESFORCE_API_VERSION = 'v60.0';

const API = `/services/data/${SALESFORCE_API_VERSION}`;
/** A guard against a locator chain that never ends. */
const MAX_QUERY_PAGES = 500;
const OBJECT = 'Opportunity';
const FIELD = `${OBJECT}.${OWNER_FIELD.salesforceDeveloperName}__c`;

/** Ergo's permission set: found by its API name, created once per org. */
export const ERGO_PERMISSION_SET = {
  name: 'Ergo_Assistant_Owner_Access',
  label: 'Ergo: Assistant owner access',
  description: `Managed by Ergo Sync CRM: read and edit ${FIELD} for the members Ergo assigns it to.`,
} as const;

const errorItemSchema = z.object({
  message: z.string().optional(),
  errorCode: z.string().optional(),
});
const errorBodySchema = z.array(errorItemSchema);

/** Error codes for "this user may not change metadata" (Customize Application missing…). */
const NOT_PERMITTED_CODES = new Set([
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
  'NOT_ALLOWED',
  'API_DISABLED_FOR_ORG',
]);

/**
 * Salesforce answers an expired and an unknown session alike, 401 INVALID_SESSION_ID ("Session
 * expired or invalid", errorcodes.htm): by the code alone they cannot be told apart, so both are
 * 'expired' (a session that once worked has usually timed out, and the remedy is the same, a
 * refresh or a reconnect). A refused Authorization header (INVALID_AUTH_HEADER) is 'invalid'.
 * The message text is never read.
 */
/** Maps Salesforce's `[{message, errorCode, fields}]` replies to CrmError kinds. */
export const classifySalesforceError: ErrorClassifier = ({ status, body }): ClassifiedError => {
  const parsed = errorBodySchema.safeParse(body);
  const first = parsed.success ? parsed.data[0] : undefined;
  const vendorCode = first?.errorCode;
  const message = first?.message ?? (typeof body === 'string' ? body.slice(0, 200) : '');
  let kind = kindForStatus(status);
  if (vendorCode === 'REQUEST_LIMIT_EXCEEDED') {
    // The org's rolling API quota (403, no 429 and usually no Retry-After): worth a retry.
    kind = 'rate_limited';
  } else if (status === 401) {
    kind = vendorCode === 'INVALID_SESSION_ID' ? 'expired_credentials' : 'invalid_credentials';
  } else if (vendorCode !== undefined && NOT_PERMITTED_CODES.has(vendorCode)) {
    kind = 'not_permitted';
  } else if (vendorCode === 'DUPLICATE_DEVELOPER_NAME' || vendorCode === 'DUPLICATE_VALUE') {
    kind = 'conflict';
  } else if (vendorCode === 'NOT_FOUND') {
    kind = 'not_found';
  }
  const detail = message.trim().replace(/\s+/g, ' ');
  return {
    kind,
    message: `Salesforce answered ${status}${vendorCode ? ` (${vendorCode})` : ''}${detail ? `: ${detail}` : ''}`,
    ...(vendorCode === undefined ? {} : { vendorCode }),
  };
};

const queryPageSchema = z.object({
  totalSize: z.number().optional(),
  done: z.boolean(),
  nextRecordsUrl: z.string().nullish(),
  records: z.array(z.unknown()),
});

const userSchema = z.object({
  Id: z.string(),
  Email: z.string().nullish(),
  Name: z.string().nullish(),
  IsActive: z.boolean().optional(),
});

const recordTypeSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  DeveloperName: z.string(),
  IsActive: z.boolean(),
});

const stageSchema = z.object({
  Id: z.string(),
  MasterLabel: z.string(),
  ApiName: z.string(),
  SortOrder: z.number().nullish(),
  IsClosed: z.boolean(),
  IsWon: z.boolean(),
  DefaultProbability: z.number().nullish(),
});

const customFieldRowSchema = z.object({
  Id: z.string(),
  DeveloperName: z.string(),
  NamespacePrefix: z.string().nullish(),
});

/** A CustomValue as read: Tooling returns the API name as `valueName`, writes take `fullName`. */
const customValueSchema = z.looseObject({
  fullName: z.string().nullish(),
  valueName: z.string().nullish(),
  label: z.string().nullish(),
  isActive: z.boolean().nullish(),
});

const customFieldSchema = z.object({
  Id: z.string(),
  FullName: z.string().nullish(),
  Metadata: z.looseObject({
    type: z.string().nullish(),
    valueSet: z
      .looseObject({
        valueSetDefinition: z.looseObject({ value: z.array(customValueSchema) }).nullish(),
      })
      .nullish(),
  }),
});

const fieldPermissionsRowSchema = z.object({
  Id: z.string(),
  PermissionsRead: z.boolean(),
  PermissionsEdit: z.boolean(),
});

/** The UserInfo reply's keys the account label reads (the rest is not needed). */
const userInfoSchema = z.object({
  user_id: z.string().nullish(),
  name: z.string().nullish(),
  preferred_username: z.string().nullish(),
  email: z.string().nullish(),
});

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const idRowSchema = z.object({ Id: z.string() });
const createdSchema = z.object({ id: z.string() });

type CustomValue = z.infer<typeof customValueSchema>;

function valueKey(value: CustomValue): string | undefined {
  return value.fullName ?? value.valueName ?? undefined;
}

/** Quotes a value for a SOQL string literal. */
function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export class SalesforceConnector implements SalesforceCrmConnector {
  readonly crm = 'salesforce' as const;
  readonly #http: CrmHttpClient;
  /** The org's instance host (`acme.my.salesforce.com`), for the account label. */
  readonly #host: string;

  constructor(options: ConnectorOptions<'salesforce'>) {
    const { accessToken, refreshToken } = options.credentials.secrets;
    this.#host = hostOf(options.credentials.instance.instanceUrl);
    this.#http = new CrmHttpClient({
      crm: 'salesforce',
      baseUrl: options.baseUrl ?? options.credentials.instance.instanceUrl,
      authorize: (headers) => {
        headers.set('authorization', `Bearer ${accessToken}`);
      },
      classify: classifySalesforceError,
      secrets: refreshToken === undefined ? [accessToken] : [accessToken, refreshToken],
      policy: options.policy,
      fetch: options.fetch,
      sleep: options.sleep,
      random: options.random,
      now: options.now,
      onRetry: options.onRetry,
    });
  }

  /**
   * The token check is the OpenID Connect UserInfo endpoint on the instance
   * (`GET /services/oauth2/userinfo`): who the session acts as, for the account label
   * "<instance host> as <name>". Salesforce reports neither the session's scopes nor its expiry
   * there (sessions time out after the org's idle timeout), so `scopes` and `expiresAt` stay unset.
   */
  async verifyCredentials(): Promise<VerifyResult> {
    try {
      const { body } = await this.#http.request<unknown>({
        method: 'GET',
        path: '/services/oauth2/userinfo',
      });
      const info = parse(userInfoSchema, body, 'userinfo');
      const who = info.name ?? info.preferred_username ?? info.email ?? info.user_id;
      return {
        status: 'valid',
        ...(who === undefined || who === null ? {} : { account: `${this.#host} as ${who}` }),
      };
    } catch (error) {
      return verifyFailure(error, 'Salesforce');
    }
  }

  async findOwnerByEmail(email: string): Promise<CrmOwner | null> {
    const wanted = email.trim().toLowerCase();
    let found: CrmOwner | null = null;
    await this.#query(
      'SELECT Id, Email, Name, IsActive FROM User WHERE IsActive = true',
      false,
      (record) => {
        const u = parse(userSchema, record, 'User record');
        if (u.Email?.trim().toLowerCase() !== wanted) return false;
        const address = u.Email ?? email;
        found = { id: u.Id, email: address, name: u.Name ?? address };
        return true;
      },
    );
    return found;
  }

  async listRecordTypes(): Promise<SalesforceRecordTypeInfo[]> {
    const result: SalesforceRecordTypeInfo[] = [];
    await this.#query(
      `SELECT Id, Name, DeveloperName, IsActive FROM RecordType WHERE SobjectType = '${OBJECT}' AND IsActive = true`,
      false,
      (record) => {
        const r = parse(recordTypeSchema, record, 'RecordType record');
        result.push({
          id: r.Id,
          name: r.Name,
          developerName: r.DeveloperName,
          isActive: r.IsActive,
        });
        return false;
      },
    );
    return result;
  }

  async listStages(): Promise<SalesforceStageInfo[]> {
    const result: SalesforceStageInfo[] = [];
    await this.#query(
      'SELECT Id, MasterLabel, ApiName, SortOrder, IsActive, IsClosed, IsWon, DefaultProbability, ForecastCategoryName FROM OpportunityStage WHERE IsActive = true ORDER BY SortOrder',
      false,
      (record) => {
        const s = parse(stageSchema, record, 'OpportunityStage record');
        result.push({
          id: s.Id,
          label: s.MasterLabel,
          apiName: s.ApiName,
          sortOrder: s.SortOrder ?? result.length,
          isClosed: s.IsClosed,
          isWon: s.IsWon,
          defaultProbability: s.DefaultProbability ?? null,
        });
        return false;
      },
    );
    return result;
  }

  async ensureOwnerProperty(owner: CrmOwner): Promise<OwnerPropertyResult> {
    const result = (outcome: OwnerPropertyResult['outcome'], detail?: string) => ({
      outcome,
      fieldKey: OWNER_FIELD.salesforceDeveloperName,
      optionValue: owner.id,
      ...(detail === undefined ? {} : { detail }),
    });
    let outcome: 'created' | 'option_added' | 'already_present';
    try {
      outcome = await this.#ensureField(owner);
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'not_permitted') {
        return result(
          'not_permitted',
          'Salesforce refused to change Opportunity fields (the user needs the Customize Application permission).',
        );
      }
      throw error;
    }
    // Until the grant is in place the field is invisible to the owner: never report it as done.
    let granted: boolean;
    try {
      granted = await this.#grantAccess(owner);
    } catch (error) {
      if (!(error instanceof CrmError)) throw error;
      const field = `The ${OWNER_FIELD.label} field is in Salesforce, but`;
      if (error.kind === 'not_permitted') {
        return result(
          'not_permitted',
          `${field} Salesforce refused to give ${owner.name} access to it (the user needs the Manage Profiles and Permission Sets and Assign Permission Sets permissions).`,
        );
      }
      throw new CrmError({
        crm: 'salesforce',
        kind: error.kind,
        message: `${field} giving ${owner.name} access to it failed: ${error.message}`,
        attempts: error.attempts,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
      });
    }
    if (outcome === 'already_present' && granted) {
      return result('already_present', `${owner.name} was given access to the field again.`);
    }
    return result(outcome);
  }

  async #ensureField(owner: CrmOwner): Promise<'created' | 'option_added' | 'already_present'> {
    let fieldId = await this.#findFieldId();
    if (fieldId === null) {
      if (await this.#createField(owner)) return 'created';
      // Created by someone else between our query and our insert: carry on with theirs.
      fieldId = await this.#findFieldId();
      if (fieldId === null) {
        throw new CrmError({
          crm: 'salesforce',
          kind: 'conflict',
          message: `Salesforce reports ${FIELD} as existing but the Tooling API cannot find it.`,
        });
      }
    }
    return this.#ensureValue(fieldId, owner);
  }

  /**
   * Gives the owner read and edit on the field through Ergo's permission set; true when
   * anything had to be written. Each record is looked up first, so a second run writes nothing.
   */
  async #grantAccess(owner: CrmOwner): Promise<boolean> {
    let wrote = false;
    let permissionSetId = await this.#findPermissionSet();
    if (permissionSetId === null) {
      permissionSetId =
        (await this.#create('PermissionSet', {
          Name: ERGO_PERMISSION_SET.name,
          Label: ERGO_PERMISSION_SET.label,
          Description: ERGO_PERMISSION_SET.description,
        })) ?? (await this.#findPermissionSet());
      if (permissionSetId === null) {
        throw new CrmError({
          crm: 'salesforce',
          kind: 'conflict',
          message: `Salesforce reports the permission set ${ERGO_PERMISSION_SET.name} as existing but cannot find it.`,
        });
      }
      wrote = true;
    }
    const permissions = await this.#first(
      `SELECT Id, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${soqlString(permissionSetId)} AND SobjectType = ${soqlString(OBJECT)} AND Field = ${soqlString(FIELD)}`,
      fieldPermissionsRowSchema,
      'FieldPermissions record',
    );
    if (!permissions) {
      // A duplicate (another Sync CRM got there first) grants the same: nothing left to do.
      await this.#create('FieldPermissions', {
        ParentId: permissionSetId,
        SobjectType: OBJECT,
        Field: FIELD,
        PermissionsRead: true,
        PermissionsEdit: true,
      });
      wrote = true;
    } else if (!permissions.PermissionsRead || !permissions.PermissionsEdit) {
      await this.#http.request({
        method: 'PATCH',
        path: `${API}/sobjects/FieldPermissions/${encodeURIComponent(permissions.Id)}`,
        body: { PermissionsRead: true, PermissionsEdit: true },
      });
      wrote = true;
    }
    const assignment = await this.#first(
      `SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlString(permissionSetId)} AND AssigneeId = ${soqlString(owner.id)}`,
      idRowSchema,
      'PermissionSetAssignment record',
    );
    if (!assignment) {
      // Salesforce answers a second assignment with DUPLICATE_VALUE: already assigned.
      await this.#create('PermissionSetAssignment', {
        PermissionSetId: permissionSetId,
        AssigneeId: owner.id,
      });
      wrote = true;
    }
    return wrote;
  }

  /** Ergo's permission set in the org's own namespace (a package may ship one of that name). */
  async #findPermissionSet(): Promise<string | null> {
    const row = await this.#first(
      `SELECT Id FROM PermissionSet WHERE Name = ${soqlString(ERGO_PERMISSION_SET.name)} AND NamespacePrefix = null`,
      idRowSchema,
      'PermissionSet record',
    );
    return row?.Id ?? null;
  }

  /** The first record a query returns, parsed, or null. */
  async #first<T>(soql: string, schema: z.ZodType<T>, what: string): Promise<T | null> {
    let found: T | null = null;
    await this.#query(soql, false, (record) => {
      found = parse(schema, record, what);
      return true;
    });
    return found;
  }

  /** Creates an sObject record: its id, or null when Salesforce says it exists (a duplicate). */
  async #create(sobject: string, body: Record<string, unknown>): Promise<string | null> {
    try {
      const response = await this.#http.request<unknown>({
        method: 'POST',
        path: `${API}/sobjects/${sobject}`,
        body,
      });
      return parse(createdSchema, response.body, `${sobject} create result`).id;
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'conflict') return null;
      throw error;
    }
  }

  /** Runs a SOQL query page by page; `visit` returning true stops early. */
  async #query(soql: string, tooling: boolean, visit: (record: unknown) => boolean): Promise<void> {
    let path: string | undefined = `${API}${tooling ? '/tooling' : ''}/query`;
    let query: Record<string, string> | undefined = { q: soql };
    for (let page = 0; page < MAX_QUERY_PAGES; page += 1) {
      const response: { body: unknown } = await this.#http.request<unknown>({
        method: 'GET',
        path,
        ...(query === undefined ? {} : { query }),
      });
      const body = parse(queryPageSchema, response.body, 'query result');
      for (const record of body.records) {
        if (visit(record)) return;
      }
      if (body.done || !body.nextRecordsUrl) return;
      path = body.nextRecordsUrl;
      query = undefined;
    }
    throw new CrmError({
      crm: 'salesforce',
      kind: 'bad_response',
      message: `Salesforce kept paging a query past ${MAX_QUERY_PAGES} pages.`,
    });
  }

  async #findFieldId(): Promise<string | null> {
    let id: string | null = null;
    await this.#query(
      `SELECT Id, DeveloperName, NamespacePrefix FROM CustomField WHERE TableEnumOrId = ${soqlString(OBJECT)} AND DeveloperName = ${soqlString(OWNER_FIELD.salesforceDeveloperName)}`,
      true,
      (record) => {
        const row = parse(customFieldRowSchema, record, 'CustomField record');
        // A managed package may ship a field with the same DeveloperName in its namespace.
        if (row.NamespacePrefix) return false;
        id = row.Id;
        return true;
      },
    );
    return id;
  }

  /** true when created; false when Salesforce says the field already exists. */
  async #createField(owner: CrmOwner): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'POST',
        path: `${API}/tooling/sobjects/CustomField`,
        body: {
          FullName: FIELD,
          Metadata: {
            label: OWNER_FIELD.label,
            type: 'Picklist',
            valueSet: {
              restricted: true,
              valueSetDefinition: {
                sorted: false,
                value: [{ fullName: owner.id, label: owner.name, default: false }],
              },
            },
          },
        },
      });
      return true;
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'conflict') return false;
      throw error;
    }
  }

  async #ensureValue(
    fieldId: string,
    owner: CrmOwner,
  ): Promise<'option_added' | 'already_present'> {
    const path = `${API}/tooling/sobjects/CustomField/${encodeURIComponent(fieldId)}`;
    const response = await this.#http.request<unknown>({ method: 'GET', path });
    const field = parse(customFieldSchema, response.body, 'CustomField');
    const metadata = field.Metadata;
    const definition = metadata.valueSet?.valueSetDefinition;
    if (metadata.type?.toLowerCase() !== 'picklist' || !metadata.valueSet || !definition) {
      throw new CrmError({
        crm: 'salesforce',
        kind: 'conflict',
        message: `Salesforce field ${FIELD} exists but is of type ${metadata.type ?? 'unknown'}, not Picklist.`,
      });
    }
    const current = definition.value.find((v) => valueKey(v) === owner.id);
    if (current && current.isActive !== false) return 'already_present';
    // The PATCH replaces the value set and deactivates whatever it omits: resend every value
    // as read (inactive ones stay inactive) and add or reactivate the owner's.
    const keyName = definition.value.some((v) => v.valueName) ? 'valueName' : 'fullName';
    const values: CustomValue[] = current
      ? definition.value.map((v) => (v === current ? { ...v, isActive: true } : v))
      : [...definition.value, { [keyName]: owner.id, label: owner.name, default: false }];
    await this.#http.request({
      method: 'PATCH',
      path,
      body: {
        ...(field.FullName ? { FullName: field.FullName } : {}),
        Metadata: {
          ...metadata,
          valueSet: {
            ...metadata.valueSet,
            valueSetDefinition: { ...definition, value: values },
          },
        },
      },
    });
    return 'option_added';
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  return parseVendorBody('salesforce', 'Salesforce', schema, body, what);
}
