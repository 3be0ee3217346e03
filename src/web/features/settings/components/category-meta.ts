import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';

/** One line under each settings page title: what the category is, in the user's words. */
export const CATEGORY_DESCRIPTIONS: Record<ValueCategoryKey, string> = {
  custom_properties:
    'The CRM custom properties Ergo fills in for you. Owner properties record your own CRM owner and are never overwritten by a sync.',
  pipeline_stages:
    'Your pipeline stages and how they map to each CRM, plus Salesforce record types.',
  company_details: 'What Ergo knows about your company when it writes and prepares for you.',
  meeting_titles:
    'Templates for meeting titles, in order: the first whose rules match a meeting names it.',
  alternate_domains: 'Email domains that also belong to your company.',
  partnership_domains: 'Domains of partners: meetings with them are not treated as prospects.',
  task_settings: 'How Ergo creates tasks after your meetings.',
  email_templates: 'Your email, Slack and CRM note templates.',
  advanced_settings: 'Context notifications and related toggles.',
};

export function slugOf(key: string): string {
  return key.replaceAll('_', '-');
}

export function keyOfSlug(slug: string): string {
  return slug.replaceAll('-', '_');
}
