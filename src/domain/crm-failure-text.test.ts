import { describe, expect, it } from 'vitest';
import { CRM_FAILURE_CODES, CRM_KEYS } from '#src/domain/crm.ts';
import { crmFailureSentence } from '#src/domain/crm-failure-text.ts';

describe('crmFailureSentence', () => {
  it('says how long the CRM was waited for, in seconds', () => {
    expect(crmFailureSentence('hubspot', 'timeout', { timeoutMs: 10_000 })).toBe(
      'HubSpot did not answer within 10 seconds. Try again in a few minutes.',
    );
    expect(crmFailureSentence('zoho', 'timeout', { timeoutMs: 1_000 })).toMatch(
      /^Zoho did not answer within 1 second\./,
    );
  });

  it('names the CRM in every sentence, and no sentence is a code or a status line', () => {
    for (const crm of CRM_KEYS) {
      for (const code of CRM_FAILURE_CODES) {
        const sentence = crmFailureSentence(crm, code);
        expect(sentence, `${crm} ${code}`).toMatch(/^[A-Z].*\.$/);
        expect(sentence).not.toMatch(/_|\b\d{3}\b/);
        expect(sentence.toLowerCase()).toContain(crm === 'hubspot' ? 'hubspot' : crm);
      }
    }
  });
});
