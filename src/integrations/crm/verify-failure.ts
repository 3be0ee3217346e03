import type { VerifyResult } from '#src/integrations/crm/crm-connector.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';

/**
 * What `verifyCredentials` reports for a failed check: it never throws for auth problems or
 * transport failures, it turns them into a status (shared by all five adapters).
 */
export function verifyFailure(error: unknown, vendor: string): VerifyResult {
  if (!(error instanceof CrmError)) {
    return { status: 'unreachable', detail: `${vendor} could not be reached.` };
  }
  const vendorCode = error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode };
  switch (error.kind) {
    case 'invalid_credentials':
      return { status: 'invalid', detail: error.message, ...vendorCode };
    case 'expired_credentials':
      return { status: 'expired', detail: error.message, ...vendorCode };
    case 'forbidden':
    case 'not_permitted':
      // Authenticated, but this call needs a scope the token lacks: the token itself is good.
      return { status: 'valid', detail: error.message, ...vendorCode };
    default:
      return { status: 'unreachable', detail: error.message, ...vendorCode };
  }
}
