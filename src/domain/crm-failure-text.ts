import { CRM_LABELS, type CrmFailureCode, type CrmKey } from '#src/domain/crm.ts';

/**
 * Why a step of Sync CRM failed in one CRM, as a sentence an admin can act on (issue 14: "HubSpot
 * did not answer within 10 seconds", never "The CRM answered 503"). One place: the single Sync
 * CRM, its owner-property retry and a bulk run's results all say it this way.
 */
export function crmFailureSentence(
  crm: CrmKey,
  code: CrmFailureCode,
  options: { timeoutMs?: number | undefined } = {},
): string {
  const name = CRM_LABELS[crm];
  const reconnect = `Reconnect ${name} on the organization admin’s dashboard, then run Sync CRM again.`;
  switch (code) {
    case 'timeout':
      return options.timeoutMs === undefined
        ? `${name} did not answer in time. Try again in a few minutes.`
        : `${name} did not answer within ${seconds(options.timeoutMs)}. Try again in a few minutes.`;
    case 'network':
      return `${name} could not be reached. Try again in a few minutes.`;
    case 'server_error':
      return `${name} had a problem on its side. Try again in a few minutes.`;
    case 'rate_limited':
      return `${name} is limiting Ergo’s requests right now. Try again in a few minutes.`;
    case 'quota_exhausted':
      return `${name}’s API allowance is used up. Try again once ${name} resets it.`;
    case 'invalid_credentials':
      return `${name} refused the CRM keys. ${reconnect}`;
    case 'expired_credentials':
      return `${name} says the access token has expired. ${reconnect}`;
    case 'reconnect_needed':
      return `${name} no longer accepts Ergo’s access. ${reconnect}`;
    case 'forbidden':
      return `${name} refused: the ${name} user behind these keys lacks the permission this needs.`;
    case 'not_permitted':
      return `${name} does not let the ${name} user behind these keys make this change.`;
    case 'not_found':
      return `${name} could not find what Ergo asked for.`;
    case 'conflict':
      return `${name} reported a conflicting change. Try again.`;
    case 'bad_request':
      return `${name} refused Ergo’s request.`;
    case 'bad_response':
      return `${name} answered in a way Ergo does not understand.`;
    case 'unexpected':
      return `Something unexpected went wrong while talking to ${name}.`;
  }
}

function seconds(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return `${s} second${s === 1 ? '' : 's'}`;
}
