import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '#src/http/app.ts';
import type { MailMessage, Mailer } from '#src/services/mail/mailer.ts';
import {
  insertOrganizationWithPeople,
  type InsertedOrganizationWithPeople,
  type OrganizationSpec,
} from '#tests/factories/organization.factory.ts';
import { TEST_PASSWORD } from '#tests/factories/password.factory.ts';
import { buildTestApp, loginAs, request, type TestApp } from '#tests/support/test-app.ts';
import type { TestDatabase } from '#tests/support/test-database.ts';

/** A Mailer that keeps what it is given (the SCIM tests read the invitation from it). */
export function capturingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    kind: 'outbox',
    sent,
    send: async (message) => {
      sent.push(message);
      await Promise.resolve();
    },
  };
}

export interface ScimWorld {
  app: FastifyInstance;
  testApp: TestApp;
  mailer: ReturnType<typeof capturingMailer> | undefined;
  close(): Promise<void>;
}

export const PUBLIC_URL = 'https://ergo.example.test';

/**
 * The real app over the test database with a capturing mailer (buildTestApp takes none, so the
 * app is built again from its deps with one). `mailer: false`: no mailer at all.
 */
export async function buildScimApp(
  database: TestDatabase,
  options: { mailer?: false } = {},
): Promise<ScimWorld> {
  const testApp = await buildTestApp(database, { queue: false });
  const mailer = options.mailer === false ? undefined : capturingMailer();
  const app = await buildApp({
    ...testApp.deps,
    publicUrl: PUBLIC_URL,
    ...(mailer ? { mailer } : {}),
  });
  return {
    app,
    testApp,
    mailer,
    close: async () => {
      await app.close();
      await testApp.app.close();
    },
  };
}

export async function insertOrg(
  world: ScimWorld,
  spec: OrganizationSpec = {},
): Promise<InsertedOrganizationWithPeople> {
  return insertOrganizationWithPeople(world.testApp.deps.uow, world.testApp.keyring, {
    admins: [{}],
    members: [{}],
    teams: ['Sales'],
    ...spec,
  });
}

/** Creates a SCIM token through the console's API as `adminEmail`; returns the token and id. */
export async function createToken(
  app: FastifyInstance,
  adminEmail: string,
  name = 'Okta',
): Promise<{ id: string; token: string }> {
  const admin = await loginAs(app, adminEmail, TEST_PASSWORD);
  const response = await request(app, admin, 'POST', '/api/scim-tokens', { name });
  if (response.statusCode !== 201) {
    throw new Error(`token creation failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<{ id: string; token: string }>();
}

/** A SCIM request as an identity provider sends it (bearer token, application/scim+json). */
export function scim(
  app: FastifyInstance,
  token: string | undefined,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url: `/scim/v2${url}`,
    headers: {
      accept: 'application/scim+json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A filter as it travels in a URL. */
export function filterQuery(filter: string): string {
  return `filter=${encodeURIComponent(filter)}`;
}
