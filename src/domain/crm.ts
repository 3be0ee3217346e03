/** The CRMs Ergo connects to (guide: "HubSpot, Salesforce, Zoho, Attio, and Pipedrive"). */
export const CRM_KEYS = ['hubspot', 'salesforce', 'zoho', 'attio', 'pipedrive'] as const;
export type CrmKey = (typeof CRM_KEYS)[number];

export const CRM_LABELS = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  zoho: 'Zoho',
  attio: 'Attio',
  pipedrive: 'Pipedrive',
} as const satisfies Record<CrmKey, string>;

export function isCrmKey(value: string): value is CrmKey {
  return (CRM_KEYS as readonly string[]).includes(value);
}

/**
 * Why a call to a CRM failed, as a stable code: the kind of every connector's CrmError, and the
 * `code` of a failed step in a Sync CRM result (`unexpected`: an error that is not a CRM's).
 */
export const CRM_ERROR_KINDS = [
  'invalid_credentials',
  'expired_credentials',
  'forbidden',
  'not_permitted',
  'rate_limited',
  /** A vendor's long quota (Salesforce's 24-hour allowance) is spent: never retried. */
  'quota_exhausted',
  'not_found',
  'conflict',
  'bad_request',
  'server_error',
  'timeout',
  'network',
  'bad_response',
  /** The vendor revoked the OAuth grant (or refused its refresh): the admin must reconnect. */
  'reconnect_needed',
] as const;
export type CrmErrorKind = (typeof CRM_ERROR_KINDS)[number];

export const CRM_FAILURE_CODES = [...CRM_ERROR_KINDS, 'unexpected'] as const;
export type CrmFailureCode = (typeof CRM_FAILURE_CODES)[number];
