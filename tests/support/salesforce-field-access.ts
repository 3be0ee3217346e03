import { SALESFORCE_API_VERSION } from '#src/integrations/crm/salesforce/salesforce.adapter.ts';

/**
 * What a Salesforce user sees of the owner field, over HTTP with that user's session: the field
 * in the Opportunity describe (undefined when hidden) and the status of a SOQL query naming it
 * (400 INVALID_FIELD when hidden). Field-level security tests look through the member's eyes.
 */
export async function ownerFieldAs(
  baseUrl: string,
  session: string,
): Promise<{
  described: { name: string; updateable: boolean } | undefined;
  queryStatus: number;
  queryErrorCode: string | undefined;
}> {
  const api = `${baseUrl}/services/data/${SALESFORCE_API_VERSION}`;
  const headers = { authorization: `Bearer ${session}` };
  const describe = await fetch(`${api}/sobjects/Opportunity/describe`, { headers });
  const { fields } = (await describe.json()) as {
    fields: { name: string; updateable: boolean }[];
  };
  const soql = 'SELECT Id, Assistant_Owner__c FROM Opportunity';
  const query = await fetch(`${api}/query?q=${encodeURIComponent(soql)}`, { headers });
  const body: unknown = await query.json();
  const queryErrorCode = Array.isArray(body)
    ? (body as { errorCode?: string }[])[0]?.errorCode
    : undefined;
  return {
    described: fields.find((f) => f.name === 'Assistant_Owner__c'),
    queryStatus: query.status,
    queryErrorCode,
  };
}
