/**
 * A settings save that never reached the server because the session had ended (issue 14 §4:
 * unsaved edits survive an expired session where possible). The value is kept in this tab's
 * sessionStorage just before each save and dropped once the server answers anything but
 * "unauthenticated"; after Log in, the same person on the same page gets it back to save or
 * discard. Kept per user and category, with the dashboard version it was edited from, so saving
 * it later is still refused when the settings changed meanwhile (nothing is overwritten).
 */
export interface UnsentSettings {
  value: unknown;
  dashboardVersion: number;
}

const keyOf = (userId: string, category: string) => `ergo.unsent-settings:${userId}:${category}`;

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage turned off: nothing survives, as before
  }
}

export function keepUnsent(userId: string, category: string, unsent: UnsentSettings): void {
  try {
    storage()?.setItem(keyOf(userId, category), JSON.stringify(unsent));
  } catch {
    // Full or refused: the save itself goes ahead.
  }
}

export function dropUnsent(userId: string, category: string): void {
  storage()?.removeItem(keyOf(userId, category));
}

export function readUnsent(userId: string, category: string): UnsentSettings | undefined {
  const text = storage()?.getItem(keyOf(userId, category));
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<UnsentSettings>;
    return typeof parsed.dashboardVersion === 'number' && 'value' in parsed
      ? { value: parsed.value, dashboardVersion: parsed.dashboardVersion }
      : undefined;
  } catch {
    return undefined;
  }
}
