import { z } from 'zod';

/**
 * An instant in a query string: an ISO 8601 date-time with its offset, or a date (midnight UTC),
 * in the years 1 to 9999 (PostgreSQL has no year 0, which JavaScript's Date would send). Shared by
 * every route with a time range (the audit log, the sync history).
 */
export const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((text) => new Date(text))
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a valid date')
  .refine((date) => {
    const year = date.getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'must be in the years 1 to 9999');
