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
import { CrmError, type CrmErrorKind } from '#src/integrations/crm/crm-error.ts';
import {
  CrmHttpClient,
  kindForStatus,
  type ClassifiedError,
  type ErrorClassifier,
} from '#src/integrations/crm/crm-http-client.ts';

/**
 * Zoho CRM over its v8 REST API (shared/product/crm-api-notes.md §3): the base URL is the
 * credential's `api_domain` (Zoho has one per data centre), auth is
 * `Authorization: Zoho-oauthtoken <token>` (not Bearer), the token check is
 * `GET /crm/v8/users?type=CurrentUser`, users are paged with page/per_page until
 * `info.more_records` is false (or Zoho answers 204), and the owner picklist is the custom Deals
 * field labelled "Assistant Owner". Zoho derives its api_name from the label by rules of its own
 * (a name once used is not handed out again), so the adapter never guesses it: it reads the
 * api_name from the fields list, after a create by the id the create answered with. Options
 * are compared by `actual_value` (the owner's Zoho user id). Zoho's field PATCH appends a
 * picklist entry sent without an id, so adding an option sends only the new entry.
 */

const API = '/crm/v8';
const USERS_PAGE_SIZE = 200;
/** A guard against paging that never ends (100 pages × 200 users). */
const MAX_USER_PAGES = 100;

const zohoErrorSchema = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  details: z.unknown().optional(),
});

/** Top-level errors, or bulk replies that carry the same 4-key shape per item. */
const errorBodySchema = zohoErrorSchema.extend({
  fields: z.array(zohoErrorSchema).optional(),
  data: z.array(zohoErrorSchema).optional(),
  users: z.array(zohoErrorSchema).optional(),
});

const userSchema = z.object({
  id: z.string(),
  email: z.string().nullish(),
  full_name: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  status: z.string().optional(),
});

const currentUserSchema = z.object({
  users: z.array(
    z.object({ full_name: z.string().nullish(), email: z.string().nullish() }).loose(),
  ),
});

const orgSchema = z.object({
  org: z.array(z.object({ company_name: z.string().nullish() }).loose()),
});

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const usersPageSchema = z.object({
  users: z.array(userSchema),
  info: z.object({ more_records: z.boolean() }).partial().optional(),
});

const pickListValueSchema = z.object({
  id: z.string().optional(),
  display_value: z.string(),
  actual_value: z.string(),
});

const fieldSchema = z.object({
  id: z.string(),
  api_name: z.string(),
  field_label: z.string().nullish(),
  custom_field: z.boolean().nullish(),
  data_type: z.string(),
  pick_list_values: z.array(pickListValueSchema).nullish(),
});

const fieldsSchema = z.object({ fields: z.array(fieldSchema) });

const bulkResultSchema = z.object({
  fields: z
    .array(zohoErrorSchema.extend({ details: z.object({ id: z.string() }).partial().nullish() }))
    .min(1),
});

type ZohoField = z.infer<typeof fieldSchema>;

function kindForCode(code: string | undefined, status: number): CrmErrorKind {
  switch (code) {
    case 'INVALID_TOKEN':
      // Zoho answers INVALID_TOKEN ("invalid oauth token") for an unknown and for an expired
      // access token alike; access tokens last an hour and the remedy is a refresh: 'expired'.
      // The message text is never read.
      return 'expired_credentials';
    case 'AUTHENTICATION_FAILURE':
      return 'invalid_credentials';
    case 'OAUTH_SCOPE_MISMATCH':
    case 'NO_PERMISSION':
      return 'not_permitted';
    case 'TOO_MANY_REQUESTS':
      return 'rate_limited';
    case 'DUPLICATE_DATA':
      return 'conflict';
    case 'INVALID_URL_PATTERN':
      return 'not_found';
    default:
      return kindForStatus(status);
  }
}

/** Maps Zoho's `{code, details, message, status:"error"}` replies (top level or per item). */
export const classifyZohoError: ErrorClassifier = ({ status, body }): ClassifiedError => {
  const parsed = errorBodySchema.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  const item = data.code === undefined ? (data.fields ?? data.data ?? data.users)?.[0] : undefined;
  const code = data.code ?? item?.code;
  const message =
    data.message ?? item?.message ?? (typeof body === 'string' ? body.slice(0, 200) : '');
  const kind = status === 429 ? 'rate_limited' : kindForCode(code, status);
  return {
    kind,
    message: `Zoho CRM answered ${status}${code ? ` (${code})` : ''}${message ? `: ${message}` : ''}`,
    ...(code === undefined ? {} : { vendorCode: code }),
  };
};

function ownerName(user: z.infer<typeof userSchema>): string {
  const parts = [user.first_name, user.last_name].filter((part) => part).join(' ');
  return user.full_name || parts || (user.email ?? user.id);
}

export class ZohoConnector implements CrmConnector {
  readonly crm = 'zoho' as const;
  readonly #http: CrmHttpClient;

  /** The API domain's host (`www.zohoapis.eu`), the account label when the org is not readable. */
  readonly #host: string;

  constructor(options: ConnectorOptions<'zoho'>) {
    this.#host = hostOf(options.credentials.instance.apiDomain);
    const { accessToken, refreshToken } = options.credentials.secrets;
    this.#http = new CrmHttpClient({
      crm: 'zoho',
      baseUrl: options.baseUrl ?? options.credentials.instance.apiDomain,
      authorize: (headers) => {
        headers.set('authorization', `Zoho-oauthtoken ${accessToken}`);
      },
      classify: classifyZohoError,
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
   * The token check is the current user (`GET /crm/v8/users?type=CurrentUser`); then the
   * organization (`GET /crm/v8/org`, scope ZohoCRM.org.READ) names the account for "Test
   * connection": "<company> as <user>". A token without the org scope (or an org call that fails)
   * still verifies, labelled by the API domain's host instead. Zoho's CRM API reports neither
   * the token's scopes nor its expiry, so `scopes` and `expiresAt` stay unset.
   */
  async verifyCredentials(): Promise<VerifyResult> {
    let who: string | undefined;
    try {
      const { body } = await this.#http.request<unknown>({
        method: 'GET',
        path: `${API}/users`,
        query: { type: 'CurrentUser' },
      });
      const me = currentUserSchema.safeParse(body);
      const user = me.success ? me.data.users[0] : undefined;
      who = user?.full_name ?? user?.email ?? undefined;
    } catch (error) {
      return verifyFailure(error, 'Zoho CRM');
    }
    let company: string | undefined;
    try {
      const { body } = await this.#http.request<unknown>({ method: 'GET', path: `${API}/org` });
      const org = orgSchema.safeParse(body);
      company = (org.success ? org.data.org[0]?.company_name : undefined) ?? undefined;
    } catch {
      company = undefined;
    }
    const where = company ?? this.#host;
    return { status: 'valid', account: who === undefined ? where : `${where} as ${who}` };
  }

  async findOwnerByEmail(email: string): Promise<CrmOwner | null> {
    const wanted = email.trim().toLowerCase();
    for (let page = 1; page <= MAX_USER_PAGES; page += 1) {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: `${API}/users`,
        query: { type: 'ActiveUsers', page, per_page: USERS_PAGE_SIZE },
      });
      // 204 No Content: no users on this page.
      if (response.status === 204 || response.body === null) return null;
      const body = parse(usersPageSchema, response.body, 'users page');
      const match = body.users.find((u) => u.email?.trim().toLowerCase() === wanted);
      if (match) return { id: match.id, email: match.email ?? email, name: ownerName(match) };
      if (body.info?.more_records !== true) return null;
    }
    throw new CrmError({
      crm: 'zoho',
      kind: 'bad_response',
      message: `Zoho CRM kept paging users past ${MAX_USER_PAGES} pages.`,
    });
  }

  async ensureOwnerProperty(owner: CrmOwner): Promise<OwnerPropertyResult> {
    const result = (
      outcome: OwnerPropertyResult['outcome'],
      fieldKey: string,
      detail?: string,
    ): OwnerPropertyResult => ({
      outcome,
      fieldKey,
      optionValue: owner.id,
      ...(detail === undefined ? {} : { detail }),
    });
    try {
      const existing = await this.#findOwnerField();
      if (existing !== null) return await this.#ensureOption(existing, owner, result);
      const createdId = await this.#createField(owner);
      if (createdId !== null) {
        // The create answers with the new field's id only: its api_name is Zoho's to choose.
        const created = await this.#findOwnerField(createdId);
        if (created === null) {
          throw new CrmError({
            crm: 'zoho',
            kind: 'bad_response',
            message: `Zoho CRM created the ${OWNER_FIELD.zohoLabel} field (id ${createdId}) but does not list it.`,
          });
        }
        return result('created', created.api_name);
      }
      // Created by someone else between our read and our write: continue with theirs.
      const raced = await this.#findOwnerField();
      if (raced === null) {
        throw new CrmError({
          crm: 'zoho',
          kind: 'conflict',
          message: `Zoho CRM reports the ${OWNER_FIELD.zohoLabel} field as a duplicate but does not list it.`,
        });
      }
      return await this.#ensureOption(raced, owner, result);
    } catch (error) {
      if (
        error instanceof CrmError &&
        (error.kind === 'not_permitted' || error.kind === 'forbidden')
      ) {
        return result(
          'not_permitted',
          '',
          'Zoho CRM refused to change the Deals fields (the user needs the Customize Zoho CRM permission and the ZohoCRM.settings.fields scope).',
        );
      }
      throw error;
    }
  }

  async #ensureOption(
    field: ZohoField,
    owner: CrmOwner,
    result: (outcome: OwnerPropertyResult['outcome'], fieldKey: string) => OwnerPropertyResult,
  ): Promise<OwnerPropertyResult> {
    if (field.data_type !== 'picklist') {
      throw new CrmError({
        crm: 'zoho',
        kind: 'conflict',
        message: `Zoho CRM Deals field ${field.api_name} exists but is of type ${field.data_type}, not picklist.`,
      });
    }
    if ((field.pick_list_values ?? []).some((v) => v.actual_value === owner.id)) {
      return result('already_present', field.api_name);
    }
    // An entry without an id is appended: the existing entries stay as they are.
    const response = await this.#http.request<unknown>({
      method: 'PATCH',
      path: `${API}/settings/fields/${encodeURIComponent(field.id)}`,
      query: { module: 'Deals' },
      body: {
        fields: [{ pick_list_values: [{ display_value: owner.name, actual_value: owner.id }] }],
      },
    });
    this.#expectSuccess(response.status, response.body, 'field update');
    return result('option_added', field.api_name);
  }

  /** The owner picklist: the custom Deals field with our label (or, after a create, that id). */
  async #findOwnerField(id?: string): Promise<ZohoField | null> {
    const response = await this.#http.request<unknown>({
      method: 'GET',
      path: `${API}/settings/fields`,
      query: { module: 'Deals' },
    });
    if (response.status === 204 || response.body === null) return null;
    const body = parse(fieldsSchema, response.body, 'fields list');
    return (
      body.fields.find((f) =>
        id === undefined
          ? f.custom_field === true && f.field_label === OWNER_FIELD.zohoLabel
          : f.id === id,
      ) ?? null
    );
  }

  /** The new field's id; null when Zoho says the field already exists (DUPLICATE_DATA). */
  async #createField(owner: CrmOwner): Promise<string | null> {
    try {
      const response = await this.#http.request<unknown>({
        method: 'POST',
        path: `${API}/settings/fields`,
        query: { module: 'Deals' },
        body: {
          fields: [
            {
              field_label: OWNER_FIELD.zohoLabel,
              data_type: 'picklist',
              pick_list_values: [{ display_value: owner.name, actual_value: owner.id }],
            },
          ],
        },
      });
      const item = this.#expectSuccess(response.status, response.body, 'field creation');
      const id = item?.details?.id;
      if (id === undefined) {
        throw new CrmError({
          crm: 'zoho',
          kind: 'bad_response',
          message: 'Zoho CRM created a field but did not say its id.',
        });
      }
      return id;
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'conflict') return null;
      throw error;
    }
  }

  /** Bulk endpoints can answer 2xx (207) with an error item: turn it into the same CrmError. */
  #expectSuccess(
    status: number,
    body: unknown,
    what: string,
  ): z.infer<typeof bulkResultSchema>['fields'][number] | undefined {
    const item = parse(bulkResultSchema, body, `${what} result`).fields[0];
    if (item?.status === 'success') return item;
    const classified = classifyZohoError({ status, headers: new Headers(), body });
    throw new CrmError({
      crm: 'zoho',
      kind: classified.kind === 'bad_request' && status < 300 ? 'bad_response' : classified.kind,
      message: this.#http.scrub(classified.message),
      status,
      ...(classified.vendorCode === undefined ? {} : { vendorCode: classified.vendorCode }),
    });
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  return parseVendorBody('zoho', 'Zoho CRM', schema, body, what);
}
