import { useQuery } from '@tanstack/react-query';
import type {
  Outbox,
  OutboxMessage as OutboxMessageContract,
} from '#src/domain/contracts/invitations.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** One kept message (demo mode without SMTP), as GET /api/dev/outbox sends it. */
export type OutboxMessage = Wire<OutboxMessageContract>;

export async function getOutbox(): Promise<Wire<Outbox>> {
  return api<Wire<Outbox>>('/api/dev/outbox');
}

export function useOutbox() {
  return useQuery({ queryKey: ['dev-outbox'], queryFn: getOutbox, retry: false });
}
