import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { CheckboxField } from '#src/web/components/ui/field.tsx';
import { EmptyState, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import {
  unreadCountQueryKey,
  useNotifications,
  useUnreadCount,
  type Notification,
} from '#src/web/features/notifications/api/get-notifications.ts';
import {
  useNotificationChanges,
  type NotificationCategoryChanges,
} from '#src/web/features/notifications/api/get-notification-changes.ts';
import {
  useNotificationPreferences,
  useSaveNotificationPreferences,
} from '#src/web/features/notifications/api/notification-preferences.ts';
import {
  useMarkAllNotificationsRead,
  useMarkNotificationRead,
  useRestoreFromNotification,
} from '#src/web/features/notifications/api/notification-actions.ts';
import { describeCounts } from '#src/web/features/sync/components/category-results.tsx';
import { categoryLabels } from '#src/web/features/sync/components/history-summary.tsx';
import { ItemChanges } from '#src/web/features/sync/components/item-changes.tsx';
import { errorSummary } from '#src/web/lib/errors.ts';
import { formatDateTime, formatRelative, plural } from '#src/web/lib/format.ts';
import { Link } from '#src/web/lib/router.tsx';

type NotificationCategory = Notification['categories'][number];

/** "Pipeline stages: 2 added, 1 updated" (a revert restores a snapshot: no counts). */
export function categoryLine(category: NotificationCategory): string {
  return `${category.label}: ${category.counts ? describeCounts(category.counts) : 'restored to earlier settings'}`;
}

/**
 * Notifications, newest first: what changed your dashboard (who, when, which categories, the
 * counts), with "Review changes" for the details and "Restore my previous settings" while it
 * may be restored; for admins, bulk runs that finished with failures.
 */
export function NotificationList({
  isAdmin,
  headingRef,
}: {
  isAdmin: boolean;
  /** The page's heading: focus goes there when the button that had it goes away. */
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const list = useNotifications();
  const unread = useUnreadCount();
  const queryClient = useQueryClient();
  const data = list.data;

  // The bell shows what the list says; a count the bell polled that the list doesn't know yet
  // means something new arrived: read the list again.
  useEffect(() => {
    if (data) queryClient.setQueryData(unreadCountQueryKey, data.unreadCount);
  }, [data, queryClient]);
  const polled = unread.data;
  const listed = data?.unreadCount;
  const { isFetching, refetch } = list;
  useEffect(() => {
    if (listed !== undefined && polled !== undefined && polled !== listed && !isFetching)
      void refetch();
  }, [polled]); // only when the polled count moves

  let content: ReactNode;
  if (list.isLoading) content = <LoadingState label="Loading your notifications…" />;
  else if (list.isError) {
    content = (
      <ErrorCallout
        error={list.error}
        action={
          <Button size="sm" onClick={() => void list.refetch()}>
            Try again
          </Button>
        }
      />
    );
  } else if (data)
    content = <Notifications data={data} isAdmin={isAdmin} headingRef={headingRef} />;

  return (
    <div className="stack">
      <DigestPreference />
      {content}
    </div>
  );
}

/**
 * "Email me a digest of unread notifications": saved as soon as it is changed, saying so; a
 * refused save says why and the box shows what is saved.
 */
function DigestPreference() {
  const preferences = useNotificationPreferences();
  const save = useSaveNotificationPreferences();
  const [status, setStatus] = useState('');

  if (preferences.isLoading) return <LoadingState label="Loading your email preference…" />;
  if (preferences.isError || !preferences.data) {
    return (
      <ErrorCallout
        error={preferences.error}
        title="Your email digest preference couldn't be loaded."
        action={
          <Button size="sm" onClick={() => void preferences.refetch()}>
            Try again
          </Button>
        }
      />
    );
  }
  const saved = preferences.data.emailDigest;
  // While a save is under way the box shows the choice being saved; otherwise what is saved.
  const checked = save.isPending ? save.variables.emailDigest : saved;

  return (
    <section className="card card-body" aria-label="Email digest">
      <CheckboxField
        label="Email me a digest of unread notifications"
        description="Your unread notifications, mailed to you now and then. Never CRM keys or other secrets."
        checked={checked}
        onChange={(emailDigest) => {
          setStatus('Saving…');
          save.mutate(
            { emailDigest },
            {
              onSuccess: (answer) => {
                setStatus(
                  answer.emailDigest
                    ? 'Saved: your unread notifications will be emailed to you as a digest.'
                    : 'Saved: no digest emails.',
                );
              },
              onError: () => {
                setStatus('');
              },
            },
          );
        }}
      />
      <p
        className="muted small"
        role="status"
        style={status ? { marginTop: 'var(--space-2)' } : undefined}
      >
        {status}
      </p>
      {save.isError ? (
        <div style={{ marginTop: 'var(--space-2)' }}>
          <ErrorCallout error={save.error} title="Your email digest choice wasn't saved." />
        </div>
      ) : null}
    </section>
  );
}

function Notifications({
  data,
  isAdmin,
  headingRef,
}: {
  data: NonNullable<ReturnType<typeof useNotifications>['data']>;
  isAdmin: boolean;
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const markAll = useMarkAllNotificationsRead();
  const toast = useToast();
  return (
    <div className="stack">
      <div className="notifications-toolbar">
        <p className="muted" aria-live="polite">
          {data.unreadCount > 0
            ? `${plural(data.unreadCount, 'unread notification')}.`
            : 'All read.'}
        </p>
        {data.unreadCount > 0 ? (
          <Button
            size="sm"
            busy={markAll.isPending}
            onClick={() => {
              markAll.mutate(undefined, {
                onSuccess: () => {
                  headingRef.current?.focus();
                },
                onError: (error) => {
                  toast.show({
                    tone: 'error',
                    title: "Your notifications weren't marked as read.",
                    body: errorSummary(error),
                  });
                },
              });
            }}
          >
            Mark all as read
          </Button>
        ) : null}
      </div>
      {data.notifications.length === 0 ? (
        <EmptyState title="No notifications yet.">
          When a sync changes your dashboard, it is listed here: who changed it, when, and what.
        </EmptyState>
      ) : (
        <ul className="notification-list" aria-label="Notifications, newest first">
          {data.notifications.map((notification) => (
            <li key={notification.id}>
              <NotificationItem notification={notification} isAdmin={isAdmin} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function NotificationItem({
  notification: n,
  isAdmin,
}: {
  notification: Notification;
  isAdmin: boolean;
}) {
  const id = useId();
  const titleId = `${id}-title`;
  const detailsId = `${id}-details`;
  const [expanded, setExpanded] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const article = useRef<HTMLElement>(null);
  const outcome = useRef<HTMLDivElement>(null);
  const markRead = useMarkNotificationRead();
  const restore = useRestoreFromNotification();
  const toast = useToast();
  const isUnread = n.readAt === null;
  const categories = n.categories;
  const hasDetails = categories.length > 0;
  // A change to your dashboard: "Review changes" also lists its items, read when opened.
  const reviewable = n.kind === 'dashboard_changed' && n.syncRunId !== null;
  const review = useNotificationChanges(n.id, expanded && reviewable);
  const reviewed = new Map((review.data?.categories ?? []).map((c) => [c.key, c]));

  // The result (or refusal) of a restore takes the focus the dialog gives back: the button
  // that opened it may be gone.
  useEffect(() => {
    if (restore.isSuccess || restore.isError) outcome.current?.focus();
  }, [restore.isSuccess, restore.isError]);

  return (
    <article
      ref={article}
      tabIndex={-1}
      className={`notification${isUnread ? ' notification-unread' : ''}`}
      aria-labelledby={titleId}
    >
      <div className="notification-head">
        <h2 id={titleId} className="notification-title">
          {isUnread ? <span className="sr-only">Unread: </span> : null}
          {n.title}
        </h2>
        {isUnread ? (
          <span aria-hidden="true">
            <Badge tone="accent">Unread</Badge>
          </span>
        ) : null}
      </div>
      <p className="muted small">
        <time dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
          {formatRelative(n.createdAt)}
        </time>{' '}
        · {formatDateTime(n.createdAt)}
      </p>

      {hasDetails ? (
        <ul className="notification-categories">
          {categories.map((c) => (
            <li key={c.key}>{categoryLine(c)}</li>
          ))}
        </ul>
      ) : null}

      {n.bulk ? (
        <p>
          {n.bulk.failed} of {plural(n.bulk.total, 'member')} failed.{' '}
          {isAdmin && n.bulk.teamId ? (
            <Link to={`/admin?team=${encodeURIComponent(n.bulk.teamId)}`}>Open the team</Link>
          ) : null}
        </p>
      ) : null}

      {expanded ? (
        <div id={detailsId} className="notification-details">
          {reviewable && review.isLoading ? <LoadingState label="Loading the changes…" /> : null}
          {reviewable && review.isError ? (
            <ErrorCallout
              error={review.error}
              title="The changes couldn't be loaded."
              action={
                <Button size="sm" onClick={() => void review.refetch()}>
                  Try again
                </Button>
              }
            />
          ) : null}
          {categories.map((c) => (
            <section key={c.key} aria-label={c.label} className="notification-detail">
              <h3 className="notification-detail-title">{c.label}</h3>
              {c.counts ? (
                <p className="small">
                  <span className={c.counts.added ? 'count-added' : 'muted'}>
                    {c.counts.added} added
                  </span>{' '}
                  ·{' '}
                  <span className={c.counts.updated ? 'count-updated' : 'muted'}>
                    {c.counts.updated} updated
                  </span>{' '}
                  ·{' '}
                  <span className={c.counts.removed ? 'count-removed' : 'muted'}>
                    {c.counts.removed} removed
                  </span>{' '}
                  · <span className="muted">{c.counts.unchanged} unchanged</span>
                </p>
              ) : n.action === 'revert' ? (
                <p className="small muted">Restored to the settings from before an earlier sync.</p>
              ) : null}
              {c.notes.length > 0 ? (
                <ul className="notes">
                  {c.notes.map((note) => (
                    <li key={note}>{note}</li>
                  ))}
                </ul>
              ) : null}
              {reviewed.has(c.key) ? <CategoryItems review={reviewed.get(c.key)} /> : null}
            </section>
          ))}
        </div>
      ) : null}

      {restore.isSuccess ? (
        <div ref={outcome} tabIndex={-1} className="callout callout-success" role="status">
          <p className="callout-title">Your previous settings were restored.</p>
          <p>{categoryLabels(restore.data.categories)} are as they were before this change.</p>
        </div>
      ) : restore.isError ? (
        <div ref={outcome} tabIndex={-1}>
          <ErrorCallout error={restore.error} />
        </div>
      ) : null}

      <div className="notification-actions">
        {hasDetails ? (
          <button
            type="button"
            className="link-button disclosure"
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            onClick={() => {
              setExpanded((open) => !open);
            }}
          >
            Review changes
          </button>
        ) : null}
        {isUnread ? (
          <Button
            size="sm"
            variant="ghost"
            busy={markRead.isPending}
            aria-describedby={titleId}
            onClick={() => {
              markRead.mutate(n.id, {
                onSuccess: () => {
                  article.current?.focus();
                },
                onError: (error) => {
                  toast.show({
                    tone: 'error',
                    title: "The notification wasn't marked as read.",
                    body: errorSummary(error),
                  });
                },
              });
            }}
          >
            Mark as read
          </Button>
        ) : null}
        {n.restore && !restore.isSuccess ? (
          n.restore.restoredBySyncId ? (
            <span className="muted small">You restored your previous settings.</span>
          ) : n.restore.available ? (
            <>
              <Button
                size="sm"
                aria-describedby={titleId}
                onClick={() => {
                  restore.reset();
                  setConfirming(true);
                }}
              >
                Restore my previous settings
              </Button>
              <span className="muted small">Until {formatDateTime(n.restore.until)}</span>
            </>
          ) : n.restore.reason ? (
            <span className="muted small">{n.restore.reason}</span>
          ) : null
        ) : null}
      </div>

      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        busy={restore.isPending}
        tone="primary"
        title="Restore your previous settings?"
        description={
          <>
            {categoryLabels(categories.map((c) => c.key))} {categories.length === 1 ? 'goes' : 'go'}{' '}
            back to what you had before this change
            {n.actor ? ` by ${n.actor.name}` : ''}. If your admin’s changes to a category are
            applied to you automatically, they stop being applied to it until you choose “Reset to
            the admin’s settings”.
          </>
        }
        confirmLabel="Restore my previous settings"
        onConfirm={() => {
          restore.mutate(n.id, {
            onSettled: () => {
              setConfirming(false);
            },
          });
        }}
      />
    </article>
  );
}

/** What a sync changed in one category, item by item, or why that is not shown. */
function CategoryItems({ review }: { review: NotificationCategoryChanges | undefined }) {
  if (!review) return null;
  if (review.status !== 'current') {
    return review.note ? <p className="small muted">{review.note}</p> : null;
  }
  if (review.changes.length === 0) {
    return (
      <p className="small muted">
        No item was added, changed or removed (their order may have changed).
      </p>
    );
  }
  return (
    <div style={{ marginTop: 'var(--space-2)' }}>
      <ItemChanges category={review.key} label={review.label} changes={review.changes} />
    </div>
  );
}
