import type { NotificationPreferences } from '#src/domain/contracts/notifications.contract.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import type { Mailer } from '#src/services/mail/mailer.ts';
import { listNotifications } from '#src/services/notifications/notification.service.ts';
import { authorizeOwn } from '#src/services/settings/own-settings.service.ts';
import type { SyncContext } from '#src/services/sync/sync-support.ts';

/**
 * The optional email digest of notifications (issue 16): a user who chose it gets, at each
 * digest run, one mail listing their unread notifications not mailed before — the same title
 * sentences as the bell (one rule: `listNotifications`), names, categories and counts, never
 * values or secrets — and a link to the Notifications page. A notification is mailed at most
 * once: the claim marks it in the claiming transaction, skipping rows another worker holds; a
 * mail that could not be sent gives its notifications back for the next run.
 */
export interface DigestDeps {
  uow: UnitOfWork;
  mailer: Mailer;
  /** Where the link points (ERGO_PUBLIC_URL); without it the mail names the page only. */
  publicUrl?: string | undefined;
  logger?: { warn(details: Record<string, unknown>, message: string): void };
}

/** Notifications one digest run claims at most (the rest wait for the next run). */
const CLAIM_LIMIT = 2_000;
/** Lines one mail lists at most (the page has them all). */
const MAIL_LINES = 50;

export async function getNotificationPreferences(
  deps: { uow: UnitOfWork },
  context: SyncContext,
): Promise<NotificationPreferences> {
  const actor = await authorizeOwn(deps.uow.read, context);
  return { emailDigest: await deps.uow.read.notificationDigests.preferenceOf(actor.id) };
}

export async function setNotificationPreferences(
  deps: { uow: UnitOfWork },
  context: SyncContext,
  input: NotificationPreferences,
): Promise<NotificationPreferences> {
  return deps.uow.transaction(async (repos) => {
    const actor = await authorizeOwn(repos, context);
    await repos.notificationDigests.setPreference(actor.id, input.emailDigest);
    return { emailDigest: await repos.notificationDigests.preferenceOf(actor.id) };
  });
}

/** One digest run: claims, mails and (for mails that failed) releases. Returns mails sent. */
export async function sendNotificationDigests(deps: DigestDeps): Promise<number> {
  const digests = await deps.uow.transaction((repos) =>
    repos.notificationDigests.claim(CLAIM_LIMIT),
  );
  let sent = 0;
  for (const digest of digests) {
    try {
      const claimed = new Set(digest.notificationIds);
      const { notifications } = await listNotifications(
        { uow: deps.uow },
        { actorId: digest.userId },
        { limit: 100 },
      );
      const lines = notifications.filter((n) => claimed.has(n.id)).slice(0, MAIL_LINES);
      if (lines.length === 0) continue;
      const page = deps.publicUrl
        ? `${deps.publicUrl.replace(/\/$/, '')}/notifications`
        : 'Notifications in Ergo';
      const text = [
        `You have ${digest.notificationIds.length} unread notification${digest.notificationIds.length === 1 ? '' : 's'} in Ergo:`,
        '',
        ...lines.map((n) => `- ${n.title}`),
        '',
        `Review them, or restore your previous settings within 7 days: ${page}`,
        '',
        'You get this digest because you chose it on the Notifications page; turn it off there.',
      ].join('\n');
      await deps.mailer.send({
        to: digest.email,
        subject: `Ergo: ${digest.notificationIds.length} unread notification${digest.notificationIds.length === 1 ? '' : 's'}`,
        text,
        organizationId: digest.organizationId,
      });
      sent += 1;
    } catch (error) {
      deps.logger?.warn(
        {
          userId: digest.userId,
          reason: error instanceof Error ? error.message : String(error),
        },
        'notification digest not sent: it is retried at the next run',
      );
      await deps.uow.read.notificationDigests.release(digest.notificationIds);
    }
  }
  return sent;
}

/** Runs digests every `intervalMs` (0: never); returns what stops the timer. */
export function startDigestTimer(deps: DigestDeps, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  const timer = setInterval(() => {
    sendNotificationDigests(deps).catch((error: unknown) => {
      deps.logger?.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'notification digest run failed: retried at the next run',
      );
    });
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
