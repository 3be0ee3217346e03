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
 * API v60.0, on the credential's instance URL: Bearer auth, `GET …/limits` as the token check,
 * users via SOQL paged with `nextRecordsUrl`, and the Opportunity picklist
 * `Assistant_Owner__c` (found by DeveloperName `Assistant_Owner` through the Tooling API) whose
 * values' `fullName` is the owner's User Id. A Tooling PATCH replaces the whole value set and
 * deactivates what it leaves out, so an added value is always merged into the current list.
 */

export const SALESFORCE_API_VERSION = 'v60.0';

const API = `/services/data/${SALESFORCE_API_VERSION}`;
/** A guard against a locator chain that never ends. */
const MAX_QUERY_PAGES = 500;
const OBJECT = 'Opportunity';

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

  constructor(options: ConnectorOptions<'salesforce'>) {
    const { accessToken, refreshToken } = options.credentials.secrets;
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

  async verifyCredentials(): Promise<VerifyResult> {
    try {
      await this.#http.request({ method: 'GET', path: `${API}/limits` });
      return { status: 'valid' };
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
    const fieldKey = OWNER_FIELD.salesforceDeveloperName;
    const result = (outcome: OwnerPropertyResult['outcome'], detail?: string) => ({
      outcome,
      fieldKey,
      optionValue: owner.id,
      ...(detail === undefined ? {} : { detail }),
    });
    try {
      let fieldId = await this.#findFieldId();
      if (fieldId === null) {
        if (await this.#createField(owner)) return result('created');
        // Created by someone else between our query and our insert: carry on with theirs.
        fieldId = await this.#findFieldId();
        if (fieldId === null) {
          throw new CrmError({
            crm: 'salesforce',
            kind: 'conflict',
            message: `Salesforce reports ${OBJECT}.${fieldKey}__c as existing but the Tooling API cannot find it.`,
          });
        }
      }
      return result(await this.#ensureValue(fieldId, owner));
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'not_permitted') {
        return result(
          'not_permitted',
          'Salesforce refused to change Opportunity fields (the user needs the Customize Application permission).',
        );
      }
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
          FullName: `${OBJECT}.${OWNER_FIELD.salesforceDeveloperName}__c`,
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
        message: `Salesforce field ${OBJECT}.${OWNER_FIELD.salesforceDeveloperName}__c exists but is of type ${metadata.type ?? 'unknown'}, not Picklist.`,
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
