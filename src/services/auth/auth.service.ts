import { createHash, randomBytes } from 'node:crypto';
import type { SessionUser } from '#src/domain/contracts/auth.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import type { LoginThrottle } from '#src/services/auth/login-throttle.ts';
import { hashPassword, verifyPassword } from '#src/services/auth/password.ts';

export interface SessionPolicy {
  /** A session unused for this long ends. */
  idleTimeoutMs: number;
  /** A session ends this long after login, however active. */
  absoluteTimeoutMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleTimeoutMs: 30 * 60_000,
  absoluteTimeoutMs: 12 * 60 * 60_000,
};

export interface AuthDeps {
  uow: UnitOfWork;
  throttle: LoginThrottle;
  sessionPolicy?: SessionPolicy;
  now?: () => Date;
}

export type { SessionUser };

export interface Session {
  /** The cookie value: shown once, stored only as a hash. */
  token: string;
  csrfToken: string;
  user: SessionUser;
}

const INVALID_LOGIN = 'Email or password is incorrect.';
/** What an invited user who has not set a password yet is told (the console's FinishSetup too). */
export const FINISH_SETUP =
  'Finish setting up your account: open the invitation email we sent you and set your password, or ask an admin of your organization to resend the invitation.';
/** Verified against when the email is unknown, so both failures take the same time. */
const dummyHash = hashPassword(randomBytes(16).toString('hex'));

export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Logs in with email and password: the same message for an unknown email and a wrong password,
 * throttled per account and client address (shared by every process), refused for deactivated users. A new session id every time.
 */
export async function login(
  deps: AuthDeps,
  input: { email: string; password: string; ip: string; userAgent?: string | null },
): Promise<Session> {
  const email = input.email.trim().toLowerCase();
  const wait = await deps.throttle.retryAfterMs(email, input.ip);
  if (wait > 0) {
    throw new AppError(
      'rate_limited',
      'Too many failed logins. Wait a few minutes and try again.',
      {
        retryAfterSeconds: Math.ceil(wait / 1000),
      },
    );
  }
  const user = await deps.uow.read.users.findByEmail(email);
  const ok = await verifyPassword(user?.password_hash ?? (await dummyHash), input.password);
  if (!user || !user.password_hash || !ok) {
    await deps.throttle.recordFailure(email, input.ip);
    if (user?.status === 'invited' && !user.password_hash) {
      // Provisioned but never set up (issue 13): no password exists yet, so say what to do.
      throw new AppError('setup_incomplete', FINISH_SETUP);
    }
    throw new AppError('unauthenticated', INVALID_LOGIN);
  }
  if (user.status === 'deactivated') {
    throw new AppError(
      'forbidden',
      'Your access to Ergo has been turned off. Ask an admin of your organization.',
    );
  }
  await deps.throttle.recordSuccess(email, input.ip);
  return startSession(
    deps,
    {
      id: user.id,
      organizationId: user.organization_id,
      email: user.email,
      name: user.name,
      role: user.role,
      status: user.status,
    },
    input,
  );
}

/**
 * A new session for a user who just proved who they are (a login, or accepting an invitation):
 * a fresh random id, stored hashed, with its CSRF token.
 */
export async function startSession(
  deps: Pick<AuthDeps, 'uow' | 'sessionPolicy' | 'now'>,
  user: SessionUser,
  client: { ip: string; userAgent?: string | null },
): Promise<Session> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = (deps.now ?? (() => new Date()))();
  const policy = deps.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  await deps.uow.transaction((repos) =>
    repos.sessions.create({
      now,
      id: sessionIdOf(token),
      userId: user.id,
      csrfToken,
      expiresAt: new Date(now.getTime() + policy.absoluteTimeoutMs),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
    }),
  );
  return { token, csrfToken, user };
}

/** The session behind a cookie token, or undefined when missing, expired, idle or deactivated. */
export async function resolveSession(
  deps: AuthDeps,
  token: string,
): Promise<
  | { csrfToken: string; user: SessionUser; sessionId: string; memberListVersion?: string }
  | undefined
> {
  const id = sessionIdOf(token);
  const found = await deps.uow.read.sessions.findWithUser(id);
  if (!found) return undefined;
  const { session, user } = found;
  const now = (deps.now ?? (() => new Date()))().getTime();
  const policy = deps.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  if (
    !user ||
    user.status === 'deactivated' ||
    session.expiresAt.getTime() <= now ||
    session.lastSeenAt.getTime() + policy.idleTimeoutMs <= now
  ) {
    await deps.uow.read.sessions.delete(id);
    return undefined;
  }
  // Touch at most once a minute: one write per request would be wasteful.
  if (now - session.lastSeenAt.getTime() > 60_000)
    await deps.uow.read.sessions.touch(id, new Date(now));
  return {
    sessionId: id,
    csrfToken: session.csrfToken,
    user,
    ...(found.memberListVersion === undefined
      ? {}
      : { memberListVersion: found.memberListVersion }),
  };
}

export async function logout(deps: AuthDeps, token: string): Promise<void> {
  await deps.uow.read.sessions.delete(sessionIdOf(token));
}
