import { z } from 'zod';
import { ERROR_CODES } from '#src/domain/errors.ts';

/**
 * An error answer (RFC 9457 problem details, SPEC §5): every route declares it for its 4xx and
 * 5xx statuses. Loose: problems carry extensions (the refused revert's changes, a retry time…)
 * that this shape must not strip.
 */
export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(ERROR_CODES).describe('Stable machine code (SPEC §5)'),
    detail: z.string().describe('What happened, in a sentence a person can act on'),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('For a refused value (invalid_request): one sentence per field, at its path'),
    in: z
      .string()
      .optional()
      .describe('Which part of the request `errors` refer to: `body`, `querystring` or `params`'),
  })
  .describe('A problem (RFC 9457) with a stable `code`');

export type ProblemBody = z.infer<typeof problemSchema>;

/**
 * A route's responses: its success shapes, and the problem for every error status. Routes call
 * this so none can declare a success without its errors.
 */
export function withProblems<const S extends Record<number, z.ZodType>>(
  success: S,
): S & { '4xx': typeof problemSchema; '5xx': typeof problemSchema } {
  return { ...success, '4xx': problemSchema, '5xx': problemSchema };
}

/** A 204: no body. */
export const noContent = z.null().describe('No content');
