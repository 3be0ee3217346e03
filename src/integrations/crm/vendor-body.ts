import type { z } from 'zod';
import type { CrmKey } from '#src/domain/crm.ts';
import { CrmError } from '#src/integrations/crm/crm-error.ts';

/** A vendor's 2xx body checked against the shape the connector relies on, else `bad_response`. */
export function parseVendorBody<T>(
  crm: CrmKey,
  vendor: string,
  schema: z.ZodType<T>,
  body: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new CrmError({
      crm,
      kind: 'bad_response',
      message: `${vendor} returned an unexpected ${what}.`,
    });
  }
  return parsed.data;
}
