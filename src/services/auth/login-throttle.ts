/**
 * Failed-login throttling per account and per IP: a sliding window of failure timestamps in
 * memory. One process serves the app (embedded or one node per database); a multi-node
 * deployment would move this to the database or Redis.
 */
export interface ThrottleLimits {
  windowMs: number;
  maxPerAccount: number;
  maxPerIp: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  windowMs: 15 * 60_000,
  maxPerAccount: 5,
  maxPerIp: 50,
};

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  constructor(
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until another attempt is allowed; 0 when allowed now. */
  retryAfterMs(account: string, ip: string): number {
    return Math.max(
      this.#wait(`a:${account}`, this.limits.maxPerAccount),
      this.#wait(`i:${ip}`, this.limits.maxPerIp),
    );
  }

  recordFailure(account: string, ip: string): void {
    for (const key of [`a:${account}`, `i:${ip}`]) {
      const list = this.#recent(key);
      list.push(this.now());
      this.#failures.set(key, list);
    }
    if (this.#failures.size > 100_000) this.#prune();
  }

  /** A successful login clears the account's failures (not the IP's). */
  recordSuccess(account: string): void {
    this.#failures.delete(`a:${account}`);
  }

  #recent(key: string): number[] {
    const cutoff = this.now() - this.limits.windowMs;
    return (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
  }

  #wait(key: string, max: number): number {
    const recent = this.#recent(key);
    if (recent.length < max) return 0;
    const oldest = recent[recent.length - max] ?? this.now();
    return Math.max(1, oldest + this.limits.windowMs - this.now());
  }

  #prune(): void {
    for (const key of [...this.#failures.keys()]) {
      if (this.#recent(key).length === 0) this.#failures.delete(key);
    }
  }
}
