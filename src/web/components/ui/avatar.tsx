import { initials } from '#src/web/lib/format.ts';

/** Initials on a colour picked from the name, so a person keeps their colour everywhere. */
export function Avatar({ name }: { name: string }) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (
    <span className={`avatar avatar-${hash % 6}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
