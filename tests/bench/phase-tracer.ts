import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import {
  createRepositories,
  type Repositories,
  type UnitOfWork,
} from '#src/repositories/repositories.ts';

/** Where a repository call's time is booked. */
export type Phase =
  'authorize' | 'lock' | 'read' | 'write' | 'history' | 'audit' | 'begin/commit' | 'other db';

export const DB_PHASES: readonly Phase[] = [
  'authorize',
  'lock',
  'read',
  'write',
  'history',
  'audit',
  'begin/commit',
  'other db',
];

function phaseOf(repository: string, method: string): Phase {
  if (repository === 'users') return 'authorize';
  if (repository === 'audit') return 'audit';
  if (repository === 'syncRuns') return 'history';
  if (method === 'lockForUpdate') return 'lock';
  if (/^(list|load|read|find|category|has)/.test(method)) return 'read';
  if (/^(replace|upsert|write|touch|unset|create|delete)/.test(method)) return 'write';
  return 'other db';
}

type Interval = [start: number, end: number];

/**
 * A UnitOfWork whose repositories record when each call starts and ends, so one real
 * `syncSettings` call can be split into time spent waiting on the database (per phase, the union
 * of the intervals, since the service reads both dashboards concurrently) and time spent in
 * JavaScript between those calls. Repository time includes building the statement, sending it,
 * the server's work and turning rows into objects (pg/PGlite parse jsonb there).
 */
export class PhaseTracer {
  readonly intervals = new Map<Phase, Interval[]>();

  constructor(private readonly db: Kysely<DB>) {}

  reset(): void {
    this.intervals.clear();
  }

  unitOfWork(): UnitOfWork {
    return {
      read: this.wrap(createRepositories(this.db)),
      transaction: async (work) => {
        // BEGIN includes taking a connection (PGlite: the lock); COMMIT is after the work ends.
        const began = performance.now();
        let workEnded = 0;
        const result = await this.db.transaction().execute(async (trx) => {
          this.record('begin/commit', [began, performance.now()]);
          try {
            return await work(this.wrap(createRepositories(trx)));
          } finally {
            workEnded = performance.now();
          }
        });
        this.record('begin/commit', [workEnded, performance.now()]);
        return result;
      },
    };
  }

  private record(phase: Phase, interval: Interval): void {
    const list = this.intervals.get(phase) ?? [];
    list.push(interval);
    this.intervals.set(phase, list);
  }

  private wrap(repos: Repositories): Repositories {
    const wrapped = {} as Record<string, unknown>;
    for (const [name, repository] of Object.entries(repos) as [string, object][]) {
      wrapped[name] = new Proxy(repository, {
        get: (target, property, receiver) => {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          const method = value as (...args: unknown[]) => Promise<unknown>;
          const phase = phaseOf(name, property);
          return async (...args: unknown[]) => {
            const start = performance.now();
            try {
              return await method.apply(target, args);
            } finally {
              this.record(phase, [start, performance.now()]);
            }
          };
        },
      });
    }
    return wrapped as unknown as Repositories;
  }

  /** Milliseconds per phase (union of its intervals), and of all database phases together. */
  totals(): { byPhase: Map<Phase, number>; database: number } {
    const byPhase = new Map<Phase, number>();
    for (const [phase, list] of this.intervals) byPhase.set(phase, unionLength(list));
    return { byPhase, database: unionLength([...this.intervals.values()].flat()) };
  }
}

function unionLength(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: Interval | undefined;
  for (const [start, end] of sorted) {
    if (!current || start > current[1]) {
      if (current) total += current[1] - current[0];
      current = [start, end];
    } else if (end > current[1]) current[1] = end;
  }
  if (current) total += current[1] - current[0];
  return total;
}
