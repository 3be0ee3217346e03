import {
  GENESIS_HASH,
  assertNoSecrets,
  hashAuditEntry,
  type AuditEntryInput,
} from '#src/domain/audit/audit-chain.ts';
import type { Repositories } from '#src/repositories/repositories.ts';

/** The verifier's finding for one organization's chain. */
export type AuditChainVerification =
  | { ok: true; entries: number }
  | {
      ok: false;
      entries: number;
      /** The first entry found wrong: changed itself, or the first one after a deleted entry. */
      brokenAtId: number;
      reason: 'hash_mismatch' | 'chain_broken';
    };

/**
 * Appends an audit entry for one attempt (applied, dry run, refused or failed; SPEC §6) to its
 * organization's hash chain, refusing details that look like they carry a secret (SPEC §7).
 * Call it with the use case's transaction repositories so the entry commits with the change; for
 * a refused or failed attempt whose transaction rolled back, call it in a transaction of its own.
 * `now` is a JS Date (millisecond precision), which timestamptz stores exactly, so the hash
 * recomputed from the stored row matches.
 */
export async function appendAudit(
  repos: Repositories,
  entry: AuditEntryInput,
  now: Date = new Date(),
): Promise<{ id: number; hash: string }> {
  assertNoSecrets(entry.details);
  return repos.audit.append({ ...entry, occurredAt: now });
}

/**
 * Recomputes every hash of an organization's audit chain, oldest first. A changed entry fails its
 * own hash (`hash_mismatch`); a deleted entry leaves the next one pointing at a hash that is no
 * longer its predecessor's (`chain_broken`), as does a changed entry whose hash was recomputed.
 *
 * Known limit: deleting the newest entries (truncating the tail) leaves a valid, shorter chain,
 * which the chain alone cannot tell apart from one never written. Detecting that needs the head
 * hash anchored outside the database periodically (e.g. written to an external log or signed
 * receipt) and checked here. The database triggers already refuse UPDATE, DELETE and TRUNCATE;
 * the chain is for tampering by someone who can bypass them.
 */
export async function verifyAuditChain(
  repos: Repositories,
  organizationId: string,
): Promise<AuditChainVerification> {
  const rows = await repos.audit.allForVerification(organizationId);
  let expectedPrev = GENESIS_HASH;
  for (const row of rows) {
    if (row.prevHash !== expectedPrev) {
      return { ok: false, entries: rows.length, brokenAtId: row.id, reason: 'chain_broken' };
    }
    if (hashAuditEntry(row.prevHash, row) !== row.hash) {
      return { ok: false, entries: rows.length, brokenAtId: row.id, reason: 'hash_mismatch' };
    }
    expectedPrev = row.hash;
  }
  return { ok: true, entries: rows.length };
}

/** Appends entries of one organization in order, under one take of its lock (bulk batches). */
export async function appendAuditMany(
  repos: Repositories,
  organizationId: string,
  entries: readonly AuditEntryInput[],
  now: Date = new Date(),
): Promise<{ id: number; hash: string }[]> {
  for (const entry of entries) assertNoSecrets(entry.details);
  return repos.audit.appendMany(
    organizationId,
    entries.map((entry) => ({ ...entry, occurredAt: now })),
  );
}
