import { useQuery } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';

/** One kept message (demo mode without SMTP). */
export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

export async function getOutbox(): Promise<{ messages: OutboxMessage[] }> {
  return api<{ messages: OutboxMessage[] }>('/api/dev/outbox');
}

export function useOutbox() {
  return useQuery({ queryKey: ['dev-outbox'], queryFn: getOutbox, retry: false });
}
