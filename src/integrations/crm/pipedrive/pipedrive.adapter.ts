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
import { findOwnerOption, ownerOptionLabel } from '#src/integrations/crm/owner-option.ts';
import { verifyFailure } from '#src/integrations/crm/verify-failure.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';
import {
  CrmHttpClient,
  kindForStatus,
  type ClassifiedError,
  type ErrorClassifier,
} from '#src/integrations/crm/crm-http-client.ts';

/**
 * Pipedrive over its REST API (shared/product/crm-api-notes.md §5): the v1 base is the
 * documented `https://api.pipedrive.com/v1`, or `{company domain}/api/v1` when the credential
 * carries its API domain (v2 lives beside it: `…/api/v2`), the API token goes in the
 * `x-api-token` header (never in the URL, where it would end up in logs), the token check is
 * `GET /api/v1/users/me`, users come from `GET /api/v1/users` (one unpaged reply; a pagination
 * block is followed if Pipedrive ever sends one), and deal fields are paged with start/limit.
 * The owner field is the deal field named "Assistant owner" (an enum; its stable key is the
 * field's `key`). A Pipedrive option has a label and nothing else (a deal stores the option id),
 * so the owner's option is keyed by the owner's id written in its label (owner-option.ts): a
 * rename updates the label with the v1 PUT below. A missing option is added with the v2
 * `POST /api/v2/dealFields/{field_code}/options` (atomic append); where v2 is not served (404)
 * it falls back to v1 `PUT /api/v1/dealFields/{id}`, which removes any option not resent, so
 * every existing option is resent with its id.
 *
 * Expiry: Pipedrive API tokens never expire, so a 401 ("unauthorized access") is a revoked or
 * regenerated token → 'invalid', decided by the status alone. An OAuth access token (sent as
 * Bearer) expires: its 401 is 'expired' (a refresh decides whether it was revoked).
 */

/** The documented default v1 base (API tokens); a company's own is `https://{company}.pipedrive.com/api/v1`. */
export const PIPEDRIVE_BASE_URL = 'https://api.pipedrive.com/v1';

/**
 * The v1 and v2 bases: an override or API domain ending in `/v1` (as the SDK's `basePath`) is
 * the v1 base; any other is a company domain, under which the API sits at `/api/v1`. v2 is
 * always `/api/v2` on the same host.
 */
export function pipedriveBases(override: string | undefined): { v1: string; v2: string } {
  const given = (override ?? PIPEDRIVE_BASE_URL).replace(/\/+$/, '');
  const v1 = /\/v1$/.test(given) ? given : `${given}/api/v1`;
  return { v1, v2: `${v1.replace(/(\/api)?\/v1$/, '')}/api/v2` };
}

const FIELDS_PAGE_SIZE = 100;
/** A guard against paging that never ends. */
const MAX_PAGES = 100;

const errorBodySchema = z.object({
  success: z.boolean().optional(),
  error: z.string().nullish(),
  errorCode: z.union([z.number(), z.string()]).nullish(),
  error_info: z.string().nullish(),
});

const pageInfoSchema = z.object({
  start: z.number().optional(),
  limit: z.number().optional(),
  more_items_in_collection: z.boolean().optional(),
  next_start: z.number().optional(),
});

/**
 * Pipedrive's "Responses" page nests list paging under `additional_data.pagination` (with
 * `next_start`); the official SDK's generated types declare the fields lists' paging flat on
 * `additional_data` without `next_start`. Both are read.
 */
const paginationSchema = pageInfoSchema.extend({ pagination: pageInfoSchema.optional() }).nullish();

const userSchema = z.object({
  id: z.number(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  active_flag: z.boolean().optional(),
});

const usersSchema = z.object({
  data: z.array(userSchema).nullable(),
  additional_data: paginationSchema,
});

const optionSchema = z.object({ id: z.number(), label: z.string() });

const fieldSchema = z.object({
  id: z.number(),
  key: z.string(),
  name: z.string(),
  field_type: z.string(),
  active_flag: z.boolean().optional(),
  options: z.array(optionSchema).nullish(),
});

const fieldsPageSchema = z.object({
  data: z.array(fieldSchema).nullable(),
  additional_data: paginationSchema,
});

const createdFieldSchema = z.object({ data: fieldSchema });

type PipedriveField = z.infer<typeof fieldSchema>;

const meSchema = z.object({
  data: z.object({
    name: z.string().nullish(),
    email: z.string().nullish(),
    company_name: z.string().nullish(),
    company_domain: z.string().nullish(),
  }),
});

/**
 * Maps Pipedrive's `{success:false, error, errorCode, error_info}` replies to CrmError kinds.
 * `oauth`: the credential is an OAuth access token ("Connect Pipedrive"), which expires; then a
 * 401 is an expired (or revoked) token that a refresh may fix (Pipedrive: "With OAuth, refresh on
 * 401"), so `expired_credentials`. An API token never expires: its 401 is `invalid_credentials`.
 * By status and credential kind, never by the error text.
 */
export function pipedriveErrorClassifier(oauth: boolean): ErrorClassifier {
  return ({ status, body }): ClassifiedError => {
    const parsed = errorBodySchema.safeParse(body);
    const error = parsed.success ? (parsed.data.error ?? undefined) : undefined;
    const detail = error ?? (typeof body === 'string' ? body.slice(0, 200) : '');
    let kind = kindForStatus(status);
    if (status === 401) kind = oauth ? 'expired_credentials' : 'invalid_credentials';
    return {
      kind,
      message: `Pipedrive answered ${status}${detail ? `: ${detail}` : ''}`,
      // Pipedrive has no error codes beyond the HTTP status: its `error` text is the vendor code.
      ...(error === undefined ? {} : { vendorCode: error }),
    };
  };
}

/** The classifier for API tokens (which never expire). */
export const classifyPipedriveError: ErrorClassifier = pipedriveErrorClassifier(false);

export class PipedriveConnector implements CrmConnector {
  readonly crm = 'pipedrive' as const;
  readonly #http: CrmHttpClient;
  readonly #v2: string;

  constructor(options: ConnectorOptions<'pipedrive'>) {
    const { secrets } = options.credentials;
    // An API token goes in x-api-token; an OAuth access token ("Connect Pipedrive") is Bearer.
    const token = 'apiToken' in secrets ? secrets.apiToken : secrets.accessToken;
    const bases = pipedriveBases(options.baseUrl ?? options.credentials.instance.apiDomain);
    this.#v2 = bases.v2;
    this.#http = new CrmHttpClient({
      crm: 'pipedrive',
      baseUrl: bases.v1,
      authorize: (headers) => {
        if ('apiToken' in secrets) headers.set('x-api-token', token);
        else headers.set('authorization', `Bearer ${token}`);
      },
      classify: pipedriveErrorClassifier(!('apiToken' in secrets)),
      secrets: [token],
      policy: options.policy,
      fetch: options.fetch,
      sleep: options.sleep,
      random: options.random,
      now: options.now,
      onRetry: options.onRetry,
    });
  }

  /**
   * The token check is `GET /users/me`: the company (name and domain) and the user the token
   * acts as make the account. Pipedrive reports neither scopes nor expiry there.
   */
  async verifyCredentials(): Promise<VerifyResult> {
    try {
      const response = await this.#http.request<unknown>({ method: 'GET', path: '/users/me' });
      const me = parse(meSchema, response.body, 'current user').data;
      const company = me.company_name ?? me.company_domain ?? 'Pipedrive';
      const domain = me.company_domain ? ` (${me.company_domain}.pipedrive.com)` : '';
      const user = me.name ?? me.email;
      return { status: 'valid', account: `${company}${domain}${user ? ` as ${user}` : ''}` };
    } catch (error) {
      return verifyFailure(error, 'Pipedrive');
    }
  }

  async findOwnerByEmail(email: string): Promise<CrmOwner | null> {
    const wanted = email.trim().toLowerCase();
    let start: number | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: '/users',
        query: { start },
      });
      const body = parse(usersSchema, response.body, 'users list');
      // Deactivated users cannot own deals: skip them.
      const match = (body.data ?? []).find(
        (u) => u.active_flag !== false && u.email?.trim().toLowerCase() === wanted,
      );
      if (match) {
        return { id: String(match.id), email: match.email ?? email, name: match.name || email };
      }
      start = nextStart(body.additional_data, start ?? 0, (body.data ?? []).length);
      if (start === undefined) return null;
    }
    throw pagingError('users');
  }

  async ensureOwnerProperty(owner: CrmOwner): Promise<OwnerPropertyResult> {
    const label = ownerOptionLabel(owner);
    const result = (
      outcome: OwnerPropertyResult['outcome'],
      fieldKey: string,
      detail?: string,
    ): OwnerPropertyResult => ({
      outcome,
      fieldKey,
      optionValue: label,
      ...(detail === undefined ? {} : { detail }),
    });
    let fieldKey = '';
    try {
      const existing = await this.#findField(OWNER_FIELD.pipedriveName);
      if (existing === null) {
        const created = await this.#http.request<unknown>({
          method: 'POST',
          path: '/dealFields',
          body: { name: OWNER_FIELD.pipedriveName, field_type: 'enum', options: [{ label }] },
        });
        return result('created', parse(createdFieldSchema, created.body, 'created field').data.key);
      }
      fieldKey = existing.key;
      if (existing.field_type !== 'enum' && existing.field_type !== 'set') {
        throw new CrmError({
          crm: 'pipedrive',
          kind: 'conflict',
          message: `Pipedrive deal field "${existing.name}" exists but is of type ${existing.field_type}, not enum.`,
        });
      }
      const options = existing.options ?? [];
      const mine = findOwnerOption(options, owner);
      if (mine?.label === label) return result('already_present', fieldKey);
      if (mine) {
        await this.#putOptions(
          existing,
          options.map((o) => ({ id: o.id, label: o.id === mine.id ? label : o.label })),
        );
        return result('option_updated', fieldKey);
      }
      await this.#addOption(existing, options, label);
      return result('option_added', fieldKey);
    } catch (error) {
      if (
        error instanceof CrmError &&
        (error.kind === 'forbidden' || error.kind === 'not_permitted')
      ) {
        return result(
          'not_permitted',
          fieldKey,
          'Pipedrive refused to change deal fields (the user needs permission to customize fields).',
        );
      }
      throw error;
    }
  }

  /** v2 atomic append; where v2 is not served, v1 PUT with every existing option resent. */
  async #addOption(field: PipedriveField, options: z.infer<typeof optionSchema>[], label: string) {
    try {
      await this.#http.request({
        method: 'POST',
        path: `${this.#v2}/dealFields/${encodeURIComponent(field.key)}/options`,
        body: [{ label }],
      });
      return;
    } catch (error) {
      if (!(error instanceof CrmError && error.kind === 'not_found')) throw error;
    }
    await this.#putOptions(field, [
      ...options.map((o) => ({ id: o.id, label: o.label })),
      { label },
    ]);
  }

  /** v1 PUT: Pipedrive removes every option not resent, so `options` is the whole list. */
  async #putOptions(field: PipedriveField, options: { id?: number; label: string }[]) {
    await this.#http.request({ method: 'PUT', path: `/dealFields/${field.id}`, body: { options } });
  }

  async #findField(name: string): Promise<PipedriveField | null> {
    let start = 0;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: '/dealFields',
        query: { start, limit: FIELDS_PAGE_SIZE },
      });
      const body = parse(fieldsPageSchema, response.body, 'deal fields page');
      const match = (body.data ?? []).find(
        (f) => f.active_flag !== false && f.name.trim() === name,
      );
      if (match) return match;
      const next = nextStart(body.additional_data, start, (body.data ?? []).length);
      if (next === undefined) return null;
      start = next;
    }
    throw pagingError('deal fields');
  }
}

/** Where the next page starts, or undefined on the last page. */
function nextStart(
  additional: z.infer<typeof paginationSchema>,
  start: number,
  received: number,
): number | undefined {
  const page = additional?.pagination ?? additional;
  if (page?.more_items_in_collection !== true) return undefined;
  // Without next_start (the flat shape), the next page starts after the items received.
  const next = page.next_start ?? start + received;
  return next > start ? next : undefined;
}

function pagingError(what: string): CrmError {
  return new CrmError({
    crm: 'pipedrive',
    kind: 'bad_response',
    message: `Pipedrive kept paging ${what} past ${MAX_PAGES} pages.`,
  });
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  return parseVendorBody('pipedrive', 'Pipedrive', schema, body, what);
}
