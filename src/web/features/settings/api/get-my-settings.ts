import { useQuery } from '@tanstack/react-query';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface OwnCategory {
  key: ValueCategoryKey;
  label: string;
  /** False when never set: `value` is then the category's default. */
  isSet: boolean;
  version: number;
  value: unknown;
}

export interface MySettings {
  /** Sent back with a write; a stale one is refused with `version_conflict`. */
  dashboardVersion: number;
  categories: OwnCategory[];
}

export const mySettingsQueryKey = ['my-settings'] as const;

export async function getMySettings(): Promise<MySettings> {
  return api<MySettings>('/api/me/settings');
}

export function useMySettings() {
  return useQuery({ queryKey: mySettingsQueryKey, queryFn: getMySettings, retry: false });
}
