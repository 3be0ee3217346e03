import type { CrmKey } from '#src/domain/crm.ts';

export interface FieldSpec {
  name: string;
  label: string;
  required: boolean;
  hint?: string;
}

/** The fields each CRM's credentials need (crmCredentialsSchema in settings.schema.ts). */
export const CRM_FIELDS: Record<CrmKey, { secrets: FieldSpec[]; instance: FieldSpec[] }> = {
  hubspot: {
    secrets: [
      { name: 'accessToken', label: 'Access token', required: true },
      { name: 'refreshToken', label: 'Refresh token', required: false },
    ],
    instance: [{ name: 'portalId', label: 'Portal ID', required: false, hint: 'Digits only.' }],
  },
  salesforce: {
    secrets: [
      { name: 'accessToken', label: 'Access token', required: true },
      { name: 'refreshToken', label: 'Refresh token', required: false },
    ],
    instance: [
      {
        name: 'instanceUrl',
        label: 'Instance URL',
        required: true,
        hint: 'Such as https://yourcompany.my.salesforce.com.',
      },
    ],
  },
  zoho: {
    secrets: [
      { name: 'accessToken', label: 'Access token', required: true },
      { name: 'refreshToken', label: 'Refresh token', required: false },
    ],
    instance: [
      {
        name: 'apiDomain',
        label: 'API domain',
        required: true,
        hint: 'Such as https://www.zohoapis.com.',
      },
    ],
  },
  attio: {
    secrets: [{ name: 'accessToken', label: 'Access token', required: true }],
    instance: [{ name: 'workspaceSlug', label: 'Workspace slug', required: false }],
  },
  pipedrive: {
    secrets: [{ name: 'apiToken', label: 'API token', required: true }],
    instance: [
      {
        name: 'apiDomain',
        label: 'API domain',
        required: false,
        hint: 'Such as https://yourcompany.pipedrive.com.',
      },
    ],
  },
};

/** "Portal ID: 24681357" for the non-secret instance data of a connection. */
export function describeInstance(crm: CrmKey, instance: Record<string, unknown>): string | null {
  const parts = CRM_FIELDS[crm].instance.flatMap((field) => {
    const value = instance[field.name];
    return typeof value === 'string' && value !== '' ? [`${field.label}: ${value}`] : [];
  });
  return parts.length > 0 ? parts.join(' · ') : null;
}
