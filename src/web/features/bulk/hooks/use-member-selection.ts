import { useCallback, useMemo, useState } from 'react';

/** A member picked in the table, with what the bulk dialog says about them. */
export interface SelectedMember {
  id: string;
  name: string;
}

/**
 * The member table's selection: some members (kept across pages and searches), or the whole
 * team ("Select all N in this team": the server then resolves the team's members itself).
 */
export type MemberSelection =
  | { kind: 'members'; members: ReadonlyMap<string, SelectedMember> }
  | { kind: 'team' }
  // Everyone in the team whose settings differ from yours, on every page: the server decides.
  | { kind: 'team_out_of_sync' };

const NONE: MemberSelection = { kind: 'members', members: new Map() };

export function useMemberSelection() {
  const [selection, setSelection] = useState<MemberSelection>(NONE);

  const isSelected = useCallback(
    (id: string) =>
      selection.kind === 'team' || (selection.kind === 'members' && selection.members.has(id)),
    [selection],
  );

  /** `page`: the selectable rows on screen, used when a row is unticked in team mode. */
  const toggle = useCallback(
    (member: SelectedMember, checked: boolean, page: readonly SelectedMember[]) => {
      setSelection((current) => {
        const base =
          current.kind === 'team'
            ? new Map(page.map((m) => [m.id, m]))
            : new Map(current.kind === 'members' ? current.members : []);
        if (checked) base.set(member.id, member);
        else base.delete(member.id);
        return { kind: 'members', members: base };
      });
    },
    [],
  );

  const setMany = useCallback((members: readonly SelectedMember[], checked: boolean) => {
    setSelection((current) => {
      const base = new Map<string, SelectedMember>(
        current.kind === 'members' ? current.members : [],
      );
      for (const member of members) {
        if (checked) base.set(member.id, member);
        else base.delete(member.id);
      }
      return { kind: 'members', members: base };
    });
  }, []);

  const selectOnly = useCallback((members: readonly SelectedMember[]) => {
    setSelection({ kind: 'members', members: new Map(members.map((m) => [m.id, m])) });
  }, []);

  const selectTeam = useCallback(() => {
    setSelection({ kind: 'team' });
  }, []);

  const selectTeamOutOfSync = useCallback(() => {
    setSelection({ kind: 'team_out_of_sync' });
  }, []);

  const clear = useCallback(() => {
    setSelection(NONE);
  }, []);

  return useMemo(
    () => ({
      selection,
      isSelected,
      toggle,
      setMany,
      selectOnly,
      selectTeam,
      selectTeamOutOfSync,
      clear,
    }),
    [selection, isSelected, toggle, setMany, selectOnly, selectTeam, selectTeamOutOfSync, clear],
  );
}

export type MemberSelectionState = ReturnType<typeof useMemberSelection>;
