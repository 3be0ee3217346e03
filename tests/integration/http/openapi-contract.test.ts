import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildOpenApiDocument,
  OPENAPI_FILE,
  serializeOpenApi,
} from '#src/http/openapi-document.ts';

/**
 * The API contract (issue 15): the OpenAPI document is valid OpenAPI 3.1, every route declares
 * its success and its problem responses, and the committed openapi.json is the document the code
 * builds (`npm run openapi` rewrites it).
 */

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/**
 * Routes whose responses are not declared yet: the list only shrinks (a route that gains its
 * responses must leave it, or the last test fails). Issue 15 stays open until it is empty.
 */
const RESPONSES_NOT_YET_DECLARED: readonly string[] = [];

let document: Record<string, unknown>;
let operations: { route: string; operation: Operation }[];

beforeAll(async () => {
  document = await buildOpenApiDocument();
  const paths = document.paths as Record<string, Record<string, Operation>>;
  operations = Object.entries(paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({
      route: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
      operation,
    })),
  );
});

/**
 * A success (2xx) with a body schema, or a 204, or a redirect (a browser navigation such as the
 * OAuth callback: 303 with no body); and a problem for 4xx and 5xx.
 */
function declaresResponses(operation: Operation): boolean {
  const responses = operation.responses ?? {};
  const success = Object.entries(responses).some(
    ([status, response]) =>
      (/^2\d\d$/.test(status) &&
        (status === '204' || Object.values(response.content ?? {}).some((c) => c.schema))) ||
      (status === '303' && response.content === undefined),
  );
  return success && '4XX' in responses && '5XX' in responses;
}

describe('the OpenAPI contract', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('every route declares its success and its problem responses', () => {
    const undeclared = operations
      .filter(
        ({ route, operation }) =>
          !declaresResponses(operation) && !RESPONSES_NOT_YET_DECLARED.includes(route),
      )
      .map(({ route }) => route);
    expect(undeclared).toEqual([]);
  });

  it('the list of routes not yet declared only shrinks', () => {
    const declaredNow = operations
      .filter(
        ({ route, operation }) =>
          declaresResponses(operation) && RESPONSES_NOT_YET_DECLARED.includes(route),
      )
      .map(({ route }) => route);
    const gone = RESPONSES_NOT_YET_DECLARED.filter((r) => !operations.some((o) => o.route === r));
    expect(declaredNow, 'declared now: remove them from RESPONSES_NOT_YET_DECLARED').toEqual([]);
    expect(gone, 'no longer served: remove them from RESPONSES_NOT_YET_DECLARED').toEqual([]);
  });

  it('openapi.json in the repository is current (run `npm run openapi` after changing a route)', async () => {
    const committed = await readFile(OPENAPI_FILE, 'utf8');
    expect(
      committed === serializeOpenApi(document),
      'openapi.json is stale: run `npm run openapi`',
    ).toBe(true);
  });
});
