import { z } from 'zod';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';

/** GET /api/health/live. */
export const livenessSchema = z.object({ status: z.literal('ok'), version: z.string() });

/** GET /api/health/ready (and /api/health): 200 when ready, 503 with the same shape when not. */
export const readinessSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  version: z.string(),
  demo: z.boolean(),
  database: z.enum(['pglite', 'postgres']),
  migrations: z.object({
    applied: z.number().int(),
    pending: z.array(z.string()),
    latest: z.string().nullable(),
  }),
});

/** GET /api/sync/categories: the modal's categories in the guide's order. */
export const syncCategorySchema = z.object({
  key: z.enum(CATEGORY_KEYS),
  label: z.string(),
  defaultSelected: z.boolean(),
  rule: z.string(),
});
export type SyncCategory = z.infer<typeof syncCategorySchema>;
