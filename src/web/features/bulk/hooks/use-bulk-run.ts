import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import {
  bulkSyncQueryKey,
  getBulkSync,
  type BulkRun,
} from '#src/web/features/bulk/api/get-bulk-sync.ts';

/** How often the fallback polls the run when the events stream is not available. */
const POLL_MS = 1000;

/**
 * A run as it moves: the Server-Sent Events of `GET /api/bulk-syncs/:id/events` (`progress`,
 * then `done`), falling back to polling the run every second when the stream errors. When the
 * run finishes, the member list, drift and history are refetched (the run changed them).
 * Key the caller by run id: a new run (e.g. "Retry failed") is a new subscription.
 */
export function useBulkRun(initial: BulkRun): BulkRun {
  const queryClient = useQueryClient();
  const [run, setRun] = useState<BulkRun>(initial);
  const runId = initial.id;
  const initiallyFinished = initial.finishedAt !== null;

  useEffect(() => {
    if (initiallyFinished) return;
    let stopped = false;
    let source: EventSource | undefined;
    let timer: number | undefined;

    const accept = (next: BulkRun) => {
      if (stopped) return;
      setRun(next);
      if (next.finishedAt !== null) stop();
    };
    const stop = () => {
      stopped = true;
      source?.close();
      if (timer !== undefined) window.clearTimeout(timer);
    };
    const poll = () => {
      if (stopped) return;
      getBulkSync(runId, { limit: 1 })
        .then((detail) => {
          accept(detail.run);
        })
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) timer = window.setTimeout(poll, POLL_MS);
        });
    };
    const parse = (event: MessageEvent<string>): BulkRun | undefined => {
      try {
        return JSON.parse(event.data) as BulkRun;
      } catch {
        return undefined;
      }
    };

    if (typeof EventSource === 'undefined') {
      poll();
    } else {
      source = new EventSource(`/api/bulk-syncs/${encodeURIComponent(runId)}/events`, {
        withCredentials: true,
      });
      const onEvent = (event: MessageEvent<string>) => {
        const next = parse(event);
        if (next) accept(next);
      };
      source.addEventListener('progress', onEvent);
      source.addEventListener('done', onEvent);
      // The stream broke (or the server ended it early): poll instead of reconnecting.
      source.onerror = () => {
        source?.close();
        source = undefined;
        if (!stopped && timer === undefined) poll();
      };
    }
    return stop;
  }, [runId, initiallyFinished]);

  const finished = run.finishedAt !== null;
  useEffect(() => {
    if (!finished || initiallyFinished) return;
    void queryClient.invalidateQueries({ queryKey: bulkSyncQueryKey(runId) });
    if (run.dryRun) return;
    void queryClient.invalidateQueries({ queryKey: ['team-members'] });
    void queryClient.invalidateQueries({ queryKey: ['member-drift'] });
    void queryClient.invalidateQueries({ queryKey: ['sync-history'] });
  }, [finished, initiallyFinished, runId, run.dryRun, queryClient]);

  return run;
}
