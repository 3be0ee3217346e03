import type { Team } from '#src/web/features/members/api/get-teams.ts';

/** The guide's "Open Admin and choose the team": a labelled select. */
export function TeamChooser({
  teams,
  value,
  onChange,
}: {
  teams: Team[];
  value: string | null;
  onChange: (teamId: string | null) => void;
}) {
  return (
    <div className="field field-inline">
      <label htmlFor="team-chooser" className="field-label">
        Team
      </label>
      <select
        id="team-chooser"
        value={value ?? ''}
        onChange={(event) => {
          onChange(event.target.value || null);
        }}
      >
        <option value="">Choose a team…</option>
        {teams.map((team) => (
          <option key={team.id} value={team.id}>
            {team.name}
          </option>
        ))}
      </select>
    </div>
  );
}
