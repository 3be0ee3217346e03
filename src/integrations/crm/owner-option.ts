import type { CrmOwner } from '#src/integrations/crm/crm-connector.ts';

/**
 * The owner option of a CRM whose select options carry a label and nothing else (Attio's
 * `title`, Pipedrive's `label`): keyed by the CRM owner's id, written after the member's name,
 * "Daniel Okafor (13057012)". Two reps named alike get two options; a renamed rep's option is
 * found by the id and its label updated. An option labelled with the bare name (as the
 * connectors wrote them before) is the owner's until some option carries the id.
 */
export function ownerOptionLabel(owner: CrmOwner): string {
  return `${owner.name.trim()} (${owner.id})`;
}

/** The option of `owner` among `options`: by the id in its label, else a bare-name legacy one. */
export function findOwnerOption<T extends { label: string }>(
  options: readonly T[],
  owner: CrmOwner,
): T | undefined {
  const suffix = ` (${owner.id})`;
  return (
    options.find((o) => o.label.trim().endsWith(suffix)) ??
    options.find((o) => o.label.trim() === owner.name.trim())
  );
}
