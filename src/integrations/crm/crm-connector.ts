import type { OwnerPropertyOutcome } from '#src/domain/contracts/sync.contract.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { CrmHttpClientOptions, RetryPolicy } from '#src/integrations/crm/crm-http-client.ts';

/** The result of the cheapest authenticated call a CRM offers. */
export type CredentialStatus = 'valid' | 'invalid' | 'expired' | 'unreachable';

export interface VerifyResult {
  status: CredentialStatus;
  /** A sentence for a person; never contains a secret. */
  detail?: string;
  /** The vendor's error code when it gave one (e.g. INVALID_SESSION_ID). */
  vendorCode?: string;
  /**
   * When valid: what the credential reaches, for a person ("Acme Inc. (portal 123456)",
   * "acme.my.salesforce.com as Jane Doe"). Never a secret.
   */
  account?: string;
  /** When valid and the vendor's token check reports them: the token's scopes. */
  scopes?: string[];
  /** When valid and the vendor's token check reports it: when the access token expires. */
  expiresAt?: Date;
}

/** A CRM user who can own deals. `id` is the id the CRM uses to assign an owner. */
export interface CrmOwner {
  id: string;
  email: string;
  name: string;
}

/**
 * What `ensureOwnerProperty` did: created the field (with the owner's option), added the
 * owner's option to an existing field, renamed the owner's option (the member's name changed:
 * Attio, Pipedrive), found both present (no write), or was not allowed to change the CRM's
 * metadata (reported, not thrown).
 */
export type { OwnerPropertyOutcome };

export interface OwnerPropertyResult {
  outcome: OwnerPropertyOutcome;
  /** The field's stable key in the CRM: HubSpot name, Salesforce DeveloperName, Zoho api_name, Attio api_slug, Pipedrive key. */
  fieldKey: string;
  /** The option's value as the CRM compares it (the owner id; Attio/Pipedrive: the label keyed by it). */
  optionValue: string;
  detail?: string;
}

/** The owner picklist every connector manages on the deal/opportunity object. */
export const OWNER_FIELD = {
  label: 'Assistant owner',
  hubspotName: 'assistant_owner',
  salesforceDeveloperName: 'Assistant_Owner',
  zohoLabel: 'Assistant Owner',
  attioSlug: 'assistant_owner',
  pipedriveName: 'Assistant owner',
} as const;

export interface CrmConnector {
  readonly crm: CrmKey;
  verifyCredentials(): Promise<VerifyResult>;
  /** Case-insensitive match on email, paging through every user; null when none matches. */
  findOwnerByEmail(email: string): Promise<CrmOwner | null>;
  /** Idempotent: a second call for the same owner makes no write. */
  ensureOwnerProperty(owner: CrmOwner): Promise<OwnerPropertyResult>;
}

export interface SalesforceRecordTypeInfo {
  id: string;
  name: string;
  developerName: string;
  isActive: boolean;
}

export interface SalesforceStageInfo {
  id: string;
  label: string;
  apiName: string;
  sortOrder: number;
  isClosed: boolean;
  isWon: boolean;
  defaultProbability: number | null;
}

export interface SalesforceCrmConnector extends CrmConnector {
  readonly crm: 'salesforce';
  listRecordTypes(): Promise<SalesforceRecordTypeInfo[]>;
  listStages(): Promise<SalesforceStageInfo[]>;
}

/** What every adapter's constructor takes. */
export interface ConnectorOptions<C extends CrmKey> {
  /** Decrypted credentials: held in memory for the call, never logged or put in errors. */
  credentials: Extract<CrmCredentials, { crm: C }>;
  /**
   * Base URL override. Defaults: the vendor's real URL (HubSpot, Attio), or the one the
   * credential carries (Salesforce instance URL, Zoho API domain, Pipedrive API domain).
   */
  baseUrl?: string;
  policy?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The clock Retry-After dates and rate-limit resets are read against (tests inject one). */
  now?: () => number;
  onRetry?: CrmHttpClientOptions['onRetry'];
}
