import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  buildOpenApiDocument,
  OPENAPI_FILE,
  serializeOpenApi,
} from '#src/http/openapi-document.ts';

/** `npm run openapi`: writes the API's OpenAPI document to openapi.json (CI fails when stale). */
const document = await buildOpenApiDocument();
await writeFile(OPENAPI_FILE, serializeOpenApi(document));
const paths = Object.keys(document.paths ?? {}).length;
console.log(`wrote ${fileURLToPath(OPENAPI_FILE)} (${paths} paths)`);
