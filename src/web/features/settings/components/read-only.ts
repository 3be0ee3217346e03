import { createContext, useContext } from 'react';

/**
 * A settings form shown read-only (a category your admin locked, issue 16): its fields are
 * disabled by the fieldset around it, and its footer offers no Save.
 */
export const ReadOnlyContext = createContext(false);

export function useReadOnly(): boolean {
  return useContext(ReadOnlyContext);
}
