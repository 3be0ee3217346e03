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
