import { startApp, type AppProcess } from '#tests/chaos/app-process.ts';
import type { PgCluster } from '#tests/chaos/pg-cluster.ts';

/**
 * What a scenario is given: the shared throwaway cluster, a hard deadline (every loop checks
 * it), and a way to start app processes that are killed when the scenario ends or times out.
 */
export class Scope {
  readonly apps = new Set<AppProcess>();
  readonly #controller = new AbortController();
  constructor(
    readonly name: string,
    readonly deadline: number,
    readonly cluster: PgCluster | undefined,
  ) {}

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Milliseconds left before the scenario's hard timeout. */
  remaining(): number {
    return this.deadline - performance.now();
  }

  expired(): boolean {
    return this.signal.aborted || this.remaining() <= 0;
  }

  /** Throws when the scenario ran out of time: loops call it every iteration. */
  check(): void {
    if (this.expired()) throw new Error(`${this.name}: out of time`);
  }

  requireCluster(): PgCluster {
    if (!this.cluster) throw new Error(`${this.name} needs PostgreSQL`);
    return this.cluster;
  }

  async startApp(env: Record<string, string>, label: string): Promise<AppProcess> {
    this.check();
    const app = await startApp(env, `${this.name} ${label}`);
    this.apps.add(app);
    void app.exited.then(() => this.apps.delete(app));
    return app;
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await Promise.all([...this.apps].map((a) => a.kill('SIGKILL')));
  }
}
