import { useQuery } from '@tanstack/react-query';
import type {
  OwnCategory as OwnCategoryContract,
  OwnSettings,
} from '#src/domain/contracts/settings.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/**
 * One of your settings categories (GET /api/me/settings), typed by the contract; `managed` when
 * a team policy makes you follow an admin in it (null: it is yours alone).
 */
export type OwnCategory = Wire<OwnCategoryContract>;
export type MySettings = Wire<OwnSettings>;

export const mySettingsQueryKey = ['my-settings'] as const;

export async function getMySettings(): Promise<MySettings> {
  return api<MySettings>('/api/me/settings');
}

/** `refetchInterval`: read again every so often (while an admin's settings are being applied). */
export function useMySettings(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: mySettingsQueryKey,
    queryFn: getMySettings,
    retry: false,
    refetchInterval: options.refetchInterval ?? false,
  });
}
