/**
 * The notes a person reads beside a category's counts, written once in both tenses: `done` for a
 * sync that ran (its result, its history entry), `planned` for one that would run (the preview,
 * drift), so a preview says "Will copy: HubSpot." and the sync it previews says "Copied: HubSpot."
 * The rules (sync-rules.ts) and the CRM keys step (sync-engine.ts) pick the note; this file says it.
 */
export type NoteTense = 'done' | 'planned';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const syncNotes = {
  defaultCopied: (tense: NoteTense): string =>
    tense === 'done'
      ? 'You never set this category, so its default value was copied.'
      : 'You never set this category, so its default value will be copied.',
  ownerPropertiesKept: (count: number, tense: NoteTense): string =>
    `${plural(count, 'owner property', 'owner properties')} of the member ${
      tense === 'done' ? 'kept' : 'will be kept'
    }.`,
  ownerPropertiesNotCopied: (count: number, tense: NoteTense): string =>
    `${plural(count, 'owner property', 'owner properties')} of yours ${
      tense === 'done' ? 'not copied' : 'will not be copied'
    } (owner properties are personal).`,
  collidesWithOwnerProperty: (count: number, tense: NoteTense): string =>
    `${plural(count, 'property', 'properties')} ${
      tense === 'done' ? 'not copied' : 'will not be copied'
    }: the member has an owner property with the same name.`,
  ownStagesKept: (count: number, tense: NoteTense): string =>
    `${plural(count, 'stage', 'stages')} of the member's own ${
      tense === 'done' ? 'kept' : 'will be kept'
    }.`,
  recordTypesSkipped: (tense: NoteTense): string =>
    `Salesforce record types ${
      tense === 'done' ? 'skipped' : 'will be skipped'
    }: the member has no Salesforce connection.`,
  noCrmKeys: (tense: NoteTense): string =>
    tense === 'done'
      ? 'You have no CRM keys, so none were copied.'
      : 'You have no CRM keys, so none will be copied.',
  crmKeysCopied: (crms: string, tense: NoteTense): string =>
    tense === 'done' ? `Copied: ${crms}.` : `Will copy: ${crms}.`,
  crmKeysLeft: (crms: string, tense: NoteTense): string =>
    `${tense === 'done' ? 'Left' : 'Will be left'} as they are (you don't have them): ${crms}.`,
};
