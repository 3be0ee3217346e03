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
 * Attio over its REST API v2 (shared/product/crm-api-notes.md §4): Bearer auth, `GET /v2/self`
 * as the token check, workspace members as the owners, and the deals attribute
 * `assistant_owner` (type select) whose options are the owners' names. Options are compared by
 * title; an archived option with the owner's title is un-archived rather than duplicated.
 */

export const ATTIO_BASE_URL = 'https://api.attio.com';

const DEALS = '/v2/objects/deals/attributes';

const errorBodySchema = z.object({
  status_code: z.number().optional(),
  type: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

const selfSchema = z.object({
  active: z.boolean(),
  scope: z.string().nullish(),
  /** Seconds since the epoch; null or absent when the token does not expire. */
  exp: z.number().nullish(),
  workspace_name: z.string().nullish(),
  workspace_slug: z.string().nullish(),
});

const memberSchema = z.object({
  id: z.object({ workspace_member_id: z.string() }),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email_address: z.string().nullish(),
  access_level: z.string().optional(),
});

const membersSchema = z.object({ data: z.array(memberSchema) });

const attributeSchema = z.object({
  data: z.object({
    api_slug: z.string(),
    type: z.string(),
    is_archived: z.boolean().optional(),
  }),
});

const optionsSchema = z.object({
  data: z.array(
    z.object({
      id: z.object({ option_id: z.string() }),
      title: z.string(),
      is_archived: z.boolean(),
    }),
  ),
});

type Attribute = z.infer<typeof attributeSchema>['data'];

/** Maps Attio's `{status_code, type, code, message}` replies to CrmError kinds. */
export const classifyAttioError: ErrorClassifier = ({ status, body }): ClassifiedError => {
  const parsed = errorBodySchema.safeParse(body);
  const data = parsed.success ? parsed.data : {};
  const vendorCode = data.code ?? data.type;
  let kind = kindForStatus(status);
  if (status === 401) {
    // Attio API keys do not expire and Attio documents no expiry code for a 401 auth_error
    // (docs/crm-vendor-notes.md): a refused key is invalid, whatever the message says.
    kind = 'invalid_credentials';
  } else if (status === 403) {
    // Attio answers 403 when the token lacks a scope such as object_configuration:read-write.
    kind = 'not_permitted';
  } else if (status === 429 || data.type === 'rate_limit_error') {
    kind = 'rate_limited';
  }
  const detail = data.message ?? (typeof body === 'string' ? body.slice(0, 200) : '');
  return {
    kind,
    message: `Attio answered ${status}${vendorCode ? ` (${vendorCode})` : ''}${detail ? `: ${detail}` : ''}`,
    ...(vendorCode === undefined ? {} : { vendorCode }),
  };
};

export class AttioConnector implements CrmConnector {
  readonly crm = 'attio' as const;
  readonly #http: CrmHttpClient;

  constructor(options: ConnectorOptions<'attio'>) {
    const { accessToken } = options.credentials.secrets;
    this.#http = new CrmHttpClient({
      crm: 'attio',
      baseUrl: options.baseUrl ?? ATTIO_BASE_URL,
      authorize: (headers) => {
        headers.set('authorization', `Bearer ${accessToken}`);
      },
      classify: classifyAttioError,
      secrets: [accessToken],
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
      const response = await this.#http.request<unknown>({ method: 'GET', path: '/v2/self' });
      const self = parse(selfSchema, response.body, 'token introspection');
      // Attio may answer 200 {active:false} for a token it does not know.
      if (!self.active)
        return { status: 'invalid', detail: 'Attio reports the token as inactive.' };
      const name = self.workspace_name ?? self.workspace_slug;
      const slug =
        self.workspace_slug && self.workspace_slug !== name ? ` (${self.workspace_slug})` : '';
      const scopes = (self.scope ?? '').split(/\s+/).filter((s) => s !== '');
      return {
        status: 'valid',
        ...(name ? { account: `Attio workspace ${name}${slug}` } : {}),
        ...(self.scope === null || self.scope === undefined ? {} : { scopes }),
        ...(self.exp === null || self.exp === undefined
          ? {}
          : { expiresAt: new Date(self.exp * 1000) }),
      };
    } catch (error) {
      return verifyFailure(error, 'Attio');
    }
  }

  async findOwnerByEmail(email: string): Promise<CrmOwner | null> {
    const wanted = email.trim().toLowerCase();
    // Attio returns every workspace member in one response (the endpoint has no paging).
    const response = await this.#http.request<unknown>({
      method: 'GET',
      path: '/v2/workspace_members',
    });
    const members = parse(membersSchema, response.body, 'workspace member list').data;
    const match = members.find(
      (m) => m.access_level !== 'suspended' && m.email_address?.trim().toLowerCase() === wanted,
    );
    if (!match) return null;
    const name = [match.first_name, match.last_name].filter((part) => part).join(' ');
    return {
      id: match.id.workspace_member_id,
      email: match.email_address ?? email,
      name: name || (match.email_address ?? email),
    };
  }

  async ensureOwnerProperty(owner: CrmOwner): Promise<OwnerPropertyResult> {
    const fieldKey = OWNER_FIELD.attioSlug;
    // Attio's select options have a title and nothing else: keyed by the owner's id in it.
    const title = ownerOptionLabel(owner);
    const result = (outcome: OwnerPropertyResult['outcome'], detail?: string) => ({
      outcome,
      fieldKey,
      optionValue: title,
      ...(detail === undefined ? {} : { detail }),
    });
    try {
      let attribute = await this.#getAttribute(fieldKey);
      // fresh: we just created it, so it has no options to list; revived: it was archived.
      let fresh = false;
      let revived = false;
      if (attribute === null) {
        fresh = await this.#createAttribute();
        attribute = fresh ? null : await this.#getAttribute(fieldKey);
      }
      if (attribute !== null) {
        if (attribute.type !== 'select') {
          throw new CrmError({
            crm: 'attio',
            kind: 'conflict',
            message: `Attio deal attribute ${fieldKey} exists but is of type ${attribute.type}, not select.`,
          });
        }
        if (attribute.is_archived === true) {
          await this.#http.request({
            method: 'PATCH',
            path: `${DEALS}/${fieldKey}`,
            body: { data: { is_archived: false } },
          });
          revived = true;
        }
      }
      const change = await this.#ensureOption(fieldKey, owner, fresh);
      if (fresh || revived) return result('created');
      return result(change);
    } catch (error) {
      if (
        error instanceof CrmError &&
        (error.kind === 'not_permitted' || error.kind === 'forbidden')
      ) {
        return result(
          'not_permitted',
          'Attio refused to change the deals object (the token lacks object_configuration:read-write).',
        );
      }
      throw error;
    }
  }

  /** Adds the owner's option, or renames / un-archives the one keyed by the owner's id. */
  async #ensureOption(
    slug: string,
    owner: CrmOwner,
    freshAttribute: boolean,
  ): Promise<'option_added' | 'option_updated' | 'already_present'> {
    const path = `${DEALS}/${slug}/options`;
    const title = ownerOptionLabel(owner);
    if (!freshAttribute) {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path,
        query: { show_archived: true },
      });
      const options = parse(optionsSchema, response.body, 'select option list').data;
      const match = findOwnerOption(
        options.map((o) => ({ ...o, label: o.title })),
        owner,
      );
      if (match) {
        const renamed = match.title.trim() !== title;
        if (!renamed && !match.is_archived) return 'already_present';
        await this.#http.request({
          method: 'PATCH',
          path: `${path}/${encodeURIComponent(match.id.option_id)}`,
          body: { data: { ...(renamed ? { title } : {}), is_archived: false } },
        });
        return renamed ? 'option_updated' : 'option_added';
      }
    }
    await this.#http.request({ method: 'POST', path, body: { data: { title } } });
    return 'option_added';
  }

  async #getAttribute(slug: string): Promise<Attribute | null> {
    try {
      const response = await this.#http.request<unknown>({
        method: 'GET',
        path: `${DEALS}/${encodeURIComponent(slug)}`,
      });
      return parse(attributeSchema, response.body, 'attribute').data;
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'not_found') return null;
      throw error;
    }
  }

  /** true when created; false when Attio says the slug is taken (409). */
  async #createAttribute(): Promise<boolean> {
    try {
      await this.#http.request({
        method: 'POST',
        path: DEALS,
        body: {
          data: {
            title: OWNER_FIELD.label,
            description: null,
            api_slug: OWNER_FIELD.attioSlug,
            type: 'select',
            is_required: false,
            is_unique: false,
            is_multiselect: false,
            config: {},
          },
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
  return parseVendorBody('attio', 'Attio', schema, body, what);
}
