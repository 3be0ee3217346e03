import type { CrmErrorKind, CrmKey } from '#src/domain/crm.ts';

export type { CrmErrorKind };

/**
 * The one error every connector throws. `vendorCode` is the vendor's own code (HubSpot
 * category, Salesforce errorCode, Zoho code, Attio code, Pipedrive error). Messages are built
 * from status codes and vendor messages only: never from a request's headers or URL query.
 */
export class CrmError extends Error {
  override readonly name = 'CrmError';
  readonly crm: CrmKey;
  readonly kind: CrmErrorKind;
  readonly status: number | undefined;
  readonly vendorCode: string | undefined;
  /** How many attempts were made before giving up. */
  readonly attempts: number;
  /** A `timeout`: how long each attempt waited for an answer. */
  readonly timeoutMs: number | undefined;

  constructor(options: {
    crm: CrmKey;
    kind: CrmErrorKind;
    message: string;
    status?: number;
    vendorCode?: string;
    attempts?: number;
    timeoutMs?: number;
  }) {
    super(options.message);
    this.crm = options.crm;
    this.kind = options.kind;
    this.status = options.status;
    this.vendorCode = options.vendorCode;
    this.attempts = options.attempts ?? 1;
    this.timeoutMs = options.timeoutMs;
  }

  /** Kinds worth another attempt. */
  get retryable(): boolean {
    return (
      this.kind === 'rate_limited' ||
      this.kind === 'server_error' ||
      this.kind === 'timeout' ||
      this.kind === 'network'
    );
  }
}
