import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps } from '#src/http/app.ts';
import { createUnitOfWork } from '#src/repositories/repositories.ts';
import { seedDemo } from '#src/services/demo/seed-demo.service.ts';
import { createSmtpMailer } from '#src/services/mail/smtp-mailer.ts';
import { startSmtpTestServer, type SmtpTestServer } from '#tests/support/smtp-test-server.ts';
import { buildTestApp, type Agent } from '#tests/support/test-app.ts';
import type { TestDatabase } from '#tests/support/test-database.ts';

export const PUBLIC_URL = 'http://ergo.test:8080';

export interface InvitationApp {
  app: FastifyInstance;
  logs: string[];
  deps: AppDeps;
  smtp: SmtpTestServer | undefined;
  ids: Record<string, string>;
  teams: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The real app over the demo data (Acme, Globex) with the given mailer: a real SMTP server on
 * 127.0.0.1 by default, or none (the outbox). The test app's deps are reused so its log sink
 * (`logs`) sees everything this app logs.
 */
export async function buildInvitationApp(
  database: TestDatabase,
  options: {
    /** `unreachable`: SMTP to a port nothing listens on (a mail server that is down). */
    mail?: 'smtp' | 'outbox' | 'unreachable';
    demo?: boolean;
    now?: () => Date;
    webRoot?: string;
  } = {},
): Promise<InvitationApp> {
  const base = await buildTestApp(database, {
    queue: false,
    ...(options.now ? { now: options.now } : {}),
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
  });
  await base.app.close();
  const smtp = (options.mail ?? 'smtp') === 'smtp' ? await startSmtpTestServer() : undefined;
  const smtpUrl = options.mail === 'unreachable' ? 'smtp://127.0.0.1:9' : smtp?.url;
  const mailer = smtpUrl ? createSmtpMailer(smtpUrl, 'Ergo <no-reply@ergo.test>') : undefined;
  const deps: AppDeps = {
    ...base.deps,
    publicUrl: PUBLIC_URL,
    ...(mailer ? { mailer } : {}),
    ...(options.demo ? { demo: true } : {}),
  };
  const app = await buildApp(deps);
  const uow = createUnitOfWork(database.db);
  await seedDemo(uow, base.keyring);
  const users = await database.db.selectFrom('users').select(['id', 'email']).execute();
  const ids = Object.fromEntries(users.map((u) => [u.email, u.id]));
  const teamRows = await database.db.selectFrom('teams').select(['id', 'name']).execute();
  const teams = Object.fromEntries(teamRows.map((t) => [t.name, t.id]));
  return {
    app,
    logs: base.logs,
    deps,
    smtp,
    ids,
    teams,
    close: async () => {
      await app.close();
      mailer?.close();
      await smtp?.close();
    },
  };
}

/** The agent a successful accept (or login) response gives a browser. */
export function agentOf(response: LightMyRequestResponse): Agent {
  const setCookie = response.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
  const body = response.json<{ csrfToken: string; user: { id: string } }>();
  return { cookie, csrfToken: body.csrfToken, userId: body.user.id };
}

let counter = 0;
/** A fresh address for one test's invitee. */
export function freshEmail(prefix = 'new'): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now().toString(36)}@newhire.test`;
}
