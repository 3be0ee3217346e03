import type { UnitOfWork } from '#src/repositories/repositories.ts';
import type { OutboxMessage } from '#src/domain/contracts/invitations.contract.ts';

/** How many messages the dev-only outbox page shows. */
export const OUTBOX_PAGE_SIZE = 50;

/**
 * The latest messages of the mail outbox (demo mode without SMTP): of every organization in demo
 * mode, where the page is public like the demo logins; of the reader's organization otherwise.
 */
export async function listOutbox(
  deps: { uow: UnitOfWork },
  scope: { organizationId?: string },
): Promise<OutboxMessage[]> {
  return deps.uow.read.mailOutbox.latest(OUTBOX_PAGE_SIZE, scope.organizationId);
}
