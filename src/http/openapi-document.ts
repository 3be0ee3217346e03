import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { openDatabase } from '#src/db/database.ts';
import { createKeyring } from '#src/domain/secrets/secret-box.ts';
import { buildApp } from '#src/http/app.ts';
import { createConnectorFactory } from '#src/integrations/crm/crm-connectors.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';

/** Where `npm run openapi` writes the document, and where CI checks that it is current. */
export const OPENAPI_FILE = new URL('../../openapi.json', import.meta.url);

/**
 * The API's OpenAPI 3.1 document as a production server publishes it at `/api/openapi.json`
 * (Secure cookies, no demo), built from the routes' own schemas. Nothing is served and no query
 * runs: the app is built over an empty in-memory database and closed.
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const pkg = JSON.parse(
    await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  const database = await openDatabase({ engine: 'pglite' });
  try {
    const app = await buildApp({
      logger: pino({ level: 'silent' }),
      health: () => Promise.reject(new Error('not served')),
      version: pkg.version,
      uow: createUnitOfWork(database.db),
      keyring: createKeyring(randomBytes(32)),
      connectorFor: createConnectorFactory({ baseUrls: {} }),
      secureCookies: true,
    });
    await app.ready();
    const document = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return document;
  } finally {
    await database.close();
  }
}

/** The document as the file holds it: stable key order as built, two-space JSON, final newline. */
export function serializeOpenApi(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
