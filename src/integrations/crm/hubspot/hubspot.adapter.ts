import { z } from 'zod';
import {
  OWNER_FIELD,
  type ConnectorOptions,
  type CrmConnector,
  type CrmOwner,
  type OwnerPropertyResult,
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
 * HubSpot over its CRM v3 REST API (shared/product/crm-api-notes.md §1): Bearer auth,
 * `GET /account-info/v3/details` as the token check, owners paged with `after`, and the deal
 * property `assistant_owner` (an enumeration) whose options are the owners' ids. PATCH replaces
 * the whole options list, so an added option is always merged into the current list.
 */

export const HUBSPOT_BASE_URL = 'https://api.hubapi.com';

const OWNERS_PAGE_SIZE = 100;
/** A guard against a cursor that never ends (100 pages × 100 owners). */
const MAX_OWNER_PAGES = 100;

const errorBodySchema = z.object({
  message: z.string().optional(),
  category: z.string().optional(),
  errorType: z.string().optional(),
  policyName: z.string().optional(),
});

const accountSchema = z.object({
  portalId: z.union([z.number(), z.string()]),
  uiDomain: z.string().nullish(),
});

/** `GET /oauth/v1/access-tokens/{token}`: OAuth access tokens only. */
const tokenInfoSchema = z.object({
  hub_id: z.union([z.number(), z.string()]).optional(),
  user: z.string().nullish(),
  scopes: z.array(z.string()).optional(),
  expires_in: z.number().optional(),
});

/** HubSpot private-app tokens start `pat-` (pat-na1-…); only OAuth tokens have token info. */
const PRIVATE_APP_TOKEN = /^pat-/;

const ownerSchema = z.object({
  id: z.string(),
  email: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  archived: z.boolean().optional(),
});

const ownersPageSchema = z.object({
  results: z.array(ownerSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

const optionSchema = z.object({
  label: z.string(),
  value: z.string(),
  description: z.string().optional(),
  displayOrder: z.number().optional(),
  hidden: z.boolean().optional(),
});

const propertySchema = z.object({
  name: z.string(),
  type: z.string(),
  options: z.array(optionSchema).default([]),
});

type HubSpotOptionInput = z.infer<typeof optionSchema>;

/** Maps HubSpot's `{status:"error", message, category, …}` replies to CrmError kinds. */
export const classifyHubSpotError: ErrorClassifier = ({ status, body }): ClassifiedError => {
  const parsed = errorBodySchema.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  const vendorCode = data.category ?? data.policyName ?? data.errorType;
  let kind = kindForStatus(status);
  if (status === 401) {
    // By HubSpot's category, never its message text: EXPIRED_AUTHENTICATION is an OAuth access
    // token past its expires_in (a refresh fixes it); anything else is a refused credential.
    kind =
      data.category === 'EXPIRED_AUTHENTICATION' ? 'expired_credentials' : 'invalid_credentials';
  } else if (status === 403 && data.category === 'MISSING_SCOPES') {
    kind = 'not_permitted';
  } else if (status === 429 || data.errorType === 'RATE_LIMIT') {
    kind = 'rate_limited';
  }
  const detail = data.message ?? (typeof body === 'string' ? body.slice(0, 200) : '');
  return {
    kind,
    message: `HubSpot answered ${status}${vendorCode ? ` (${vendorCode})` : ''}${detail ? `: ${detail}` : ''}`,
    ...(vendorCode === undefined ? {} : { vendorCode }),
  };
};

function ownerName(owner: z.infer<typeof ownerSchema>): string {
  const name = [owner.firstName, owner.lastName].filter((part) => part).join(' ');
  return name || (owner.email ?? owner.id);
}

export class HubSpotConnector implements CrmConnector {
  readonly crm = 'hubspot' as const;
  readonly #http: CrmHttpClient;
  readonly #accessToken: string;
  readonly #now: () => number;

  constructor(options: ConnectorOptions<'hubspot'>) {
    const { accessToken, refreshToken } = options.credentials.secrets;
    this.#accessToken = accessToken;
    this.#now = options.now ?? Date.now;
    this.#http = new CrmHttpClient({
      crm: 'hubspot',
      baseUrl: options.baseUrl ?? HUBSPOT_BASE_URL,
      authorize: (headers) => {
        headers.set('authorization', `Bearer ${accessToken}`);
      },
      classify: classifyHubSpotError,
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
   * The token check is `GET /account-info/v3/details` (portal id and UI domain: the account).
   * An OAuth access token also has token information (`GET /oauth/v1/access-tokens/{token}`:
   * the user, scopes and seconds left); a private-app token has none (HubSpot refuses the call),
   * so for one the result carries no scopes or expiry, and a failed information call never fails
   * the verify.
   */
  async verifyCredentials(): Promise<VerifyResult> {
    let account: string;
    try {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: '/account-info/v3/details',
      });
      const details = parse(accountSchema, response.body, 'account information');
      account = `HubSpot portal ${String(details.portalId)}${details.uiDomain ? ` (${details.uiDomain})` : ''}`;
    } catch (error) {
      return verifyFailure(error, 'HubSpot');
    }
    const info = await this.#tokenInfo();
    const expiresIn = info?.expires_in;
    return {
      status: 'valid',
      account: info?.user ? `${account} as ${info.user}` : account,
      ...(info?.scopes === undefined ? {} : { scopes: info.scopes }),
      ...(expiresIn === undefined ? {} : { expiresAt: new Date(this.#now() + expiresIn * 1000) }),
    };
  }

  /** The OAuth token's information, or undefined (a private-app token, or the call failed). */
  async #tokenInfo(): Promise<z.infer<typeof tokenInfoSchema> | undefined> {
    if (PRIVATE_APP_TOKEN.test(this.#accessToken)) return undefined;
    try {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: `/oauth/v1/access-tokens/${encodeURIComponent(this.#accessToken)}`,
      });
      const parsed = tokenInfoSchema.safeParse(response.body);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async findOwnerByEmail(email: string): Promise<CrmOwner | null> {
    const wanted = email.trim().toLowerCase();
    let after: string | undefined;
    for (let page = 0; page < MAX_OWNER_PAGES; page += 1) {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: '/crm/v3/owners',
        query: { limit: OWNERS_PAGE_SIZE, after, archived: false },
      });
      const body = parse(ownersPageSchema, response.body, 'owners page');
      const match = body.results.find((o) => o.email?.trim().toLowerCase() === wanted);
      if (match) return { id: match.id, email: match.email ?? email, name: ownerName(match) };
      after = body.paging?.next?.after;
      if (after === undefined) return null;
    }
    throw new CrmError({
      crm: 'hubspot',
      kind: 'bad_response',
      message: `HubSpot kept paging owners past ${MAX_OWNER_PAGES} pages.`,
    });
  }

  async ensureOwnerProperty(owner: CrmOwner): Promise<OwnerPropertyResult> {
    const fieldKey = OWNER_FIELD.hubspotName;
    const result = (outcome: OwnerPropertyResult['outcome'], detail?: string) => ({
      outcome,
      fieldKey,
      optionValue: owner.id,
      ...(detail === undefined ? {} : { detail }),
    });
    try {
      const existing = await this.#getProperty(fieldKey);
      if (existing === null) {
        const created = await this.#createProperty(owner);
        if (created) return result('created');
        // Someone created it between our read and our write: continue with theirs.
        const raced = await this.#getProperty(fieldKey);
        if (raced === null) {
          throw new CrmError({
            crm: 'hubspot',
            kind: 'conflict',
            message: `HubSpot reports ${fieldKey} as existing but cannot return it.`,
          });
        }
        return await this.#ensureOption(raced, owner, result);
      }
      return await this.#ensureOption(existing, owner, result);
    } catch (error) {
      if (
        error instanceof CrmError &&
        (error.kind === 'not_permitted' || error.kind === 'forbidden')
      ) {
        return result(
          'not_permitted',
          'HubSpot refused to change deal properties (the token lacks the crm.schemas.deals.write scope).',
        );
      }
      throw error;
    }
  }

  async #ensureOption(
    property: z.infer<typeof propertySchema>,
    owner: CrmOwner,
    result: (outcome: OwnerPropertyResult['outcome']) => OwnerPropertyResult,
  ): Promise<OwnerPropertyResult> {
    if (property.type !== 'enumeration') {
      throw new CrmError({
        crm: 'hubspot',
        kind: 'conflict',
        message: `HubSpot deal property ${property.name} exists but is of type ${property.type}, not enumeration.`,
      });
    }
    const current = property.options.find((o) => o.value === owner.id);
    if (current && current.hidden !== true) return result('already_present');
    // PATCH replaces the whole list: resend every existing option (unchanged) plus ours.
    const options: HubSpotOptionInput[] = current
      ? property.options.map((o) => (o.value === owner.id ? { ...o, hidden: false } : o))
      : [
          ...property.options,
          {
            label: owner.name,
            value: owner.id,
            displayOrder: Math.max(-1, ...property.options.map((o) => o.displayOrder ?? -1)) + 1,
            hidden: false,
          },
        ];
    await this.#http.request({
      method: 'PATCH',
      path: `/crm/v3/properties/deals/${encodeURIComponent(property.name)}`,
      body: { options },
    });
    return result('option_added');
  }

  async #getProperty(name: string): Promise<z.infer<typeof propertySchema> | null> {
    try {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: `/crm/v3/properties/deals/${encodeURIComponent(name)}`,
      });
      return parse(propertySchema, response.body, 'deal property');
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'not_found') return null;
      throw error;
    }
  }

  /** true when created; false when HubSpot says it already exists (409). */
  async #createProperty(owner: CrmOwner): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'POST',
        path: '/crm/v3/properties/deals',
        body: {
          name: OWNER_FIELD.hubspotName,
          label: OWNER_FIELD.label,
          type: 'enumeration',
          fieldType: 'select',
          groupName: 'dealinformation',
          options: [{ label: owner.name, value: owner.id, displayOrder: 0, hidden: false }],
        },
      });
      return true;
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'conflict') return false;
      throw error;
    }
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  return parseVendorBody('hubspot', 'HubSpot', schema, body, what);
}
