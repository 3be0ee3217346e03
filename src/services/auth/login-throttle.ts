import type {
  LoginFailureLimits,
  LoginFailureRepository,
} from '#src/repositories/login-failure.repository.ts';

/**
 * Failed-login throttling, kept in the database: every process shares it and a restart forgets
 * nothing. Limits apply per account *and* client address, per address, and per account across
 * all addresses (much higher), so five wrong passwords from one place do not lock the owner out
 * at another (OWASP ASVS V2.2.1).
 */
export type ThrottleLimits = LoginFailureLimits;

export const DEFAULT_THROTTLE: ThrottleLimits = {
  windowMs: 15 * 60_000,
  maxPerAccountAndAddress: 5,
  maxPerAddress: 50,
  maxPerAccount: 100,
};

export class LoginThrottle {
  constructor(
    private readonly failures: LoginFailureRepository,
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Milliseconds until another attempt is allowed; 0 when allowed now. */
  async retryAfterMs(account: string, address: string): Promise<number> {
    const now = this.now();
    const until = await this.failures.blockedUntil(account, address, this.limits, now);
    return until ? Math.max(1, until.getTime() - now.getTime()) : 0;
  }

  async recordFailure(account: string, address: string): Promise<void> {
    await this.failures.record(account, address, this.limits, this.now());
  }

  async recordSuccess(account: string, address: string): Promise<void> {
    await this.failures.clear(account, address);
  }
}
