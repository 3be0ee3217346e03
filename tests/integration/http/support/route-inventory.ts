import type { FastifyInstance } from 'fastify';

/** One route as `METHOD /path/:param`, the key the matrix and the fuzz tables use. */
export type RouteKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

/**
 * Routes the tables deliberately leave out. Everything else the app answers must be in them.
 * - HEAD: Fastify adds one beside every GET (same handler, no body).
 * - /api/docs*: the Swagger UI and its static files (public documentation).
 * - GET /api/openapi.json: the public OpenAPI document.
 * - GET /oauth/callback/:crm: the browser navigation the CRM sends back after "Connect <CRM>".
 *   It answers every caller, signed in or not, with a 303 to the web app's connections page
 *   (the outcome in its query), never a JSON body or a problem, so the tables' status and
 *   problem checks do not apply. Covered instead by crm-oauth-api.test.ts (state bound to the
 *   session, the CRM and ten minutes, single use, deny, forged Zoho accounts server) and by
 *   bad-input.test.ts's own property for it (any query: a 303 to that page, no write).
 * - /scim/v2*: the SCIM 2.0 service for identity providers (issue 13). A bearer-token API with
 *   no session, CSRF token or role: the token alone names the organization it acts for, and
 *   errors are in SCIM's own format, not problems, so the tables' actors, statuses and problem
 *   checks do not apply. Covered instead by tests/integration/scim/*.test.ts: tenancy (a second
 *   organization's token gets 404 for the first's users and teams and finds none of them in lists
 *   and filters), 401 for a missing, unknown or revoked token or a session cookie alone, invalid
 *   filters, uniqueness, the primary admin protected, the Okta and Entra ID sequences.
 */
export const EXCLUDED_METHODS = ['HEAD', 'OPTIONS'] as const;
export const EXCLUDED_PATH_PREFIXES = ['/api/docs', '/scim/v2'] as const;
export const EXCLUDED_ROUTES = ['GET /api/openapi.json', 'GET /oauth/callback/:crm'] as const;

/**
 * Every method and path the app has registered, read from `printRoutes({ commonPrefix: false })`.
 * The tree prints each node's path relative to its parent (with shared prefixes split
 * mid-word, e.g. `/api/me` → `mbers/:userId`), so a node's full path is its parent's plus its own.
 */
export function registeredRoutes(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    if (line.trim() === '') continue;
    const start = line.search(/[^│├└─\s]/u);
    if (start < 0 || start % 4 !== 0) throw new Error(`unexpected printRoutes line: ${line}`);
    const depth = start / 4 - 1;
    const match = /^(?<segment>\S+)(?: \((?<methods>[A-Z, ]+)\))?$/.exec(line.slice(start));
    if (!match?.groups?.segment) throw new Error(`unexpected printRoutes line: ${line}`);
    const path = (depth > 0 ? (stack[depth - 1] ?? '') : '') + match.groups.segment;
    stack.length = depth;
    stack[depth] = path;
    for (const method of match.groups.methods?.split(', ') ?? []) routes.push(`${method} ${path}`);
  }
  return [...new Set(routes)].sort();
}

/** The registered routes minus the explicit exclusions above. */
export function routesUnderTest(app: FastifyInstance): string[] {
  return registeredRoutes(app).filter((route) => {
    const [method = '', path = ''] = route.split(' ');
    return (
      !(EXCLUDED_METHODS as readonly string[]).includes(method) &&
      !EXCLUDED_PATH_PREFIXES.some((prefix) => path.startsWith(prefix)) &&
      !(EXCLUDED_ROUTES as readonly string[]).includes(route)
    );
  });
}

/** `/api/members/:userId` with `{ userId: 'x' }` → `/api/members/x` (values used as given). */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${path}`);
    return value;
  });
}
