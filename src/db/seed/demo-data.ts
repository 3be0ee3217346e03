import type { z } from 'zod';
import type { CrmKey } from '#src/domain/crm.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';
import type { CATEGORY_SCHEMAS, ValueCategoryKey } from '#src/domain/settings/categories.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';

/**
 * The demo organizations the seeder inserts on first start: pure, deterministic data (no I/O,
 * no randomness, no clock). Every dashboard is written as schema *input*, so the seeder runs it
 * through `parseCategoryValue` exactly like a value arriving over the API.
 *
 * Shape of the demo (SPEC §1–2):
 * - Acme: the primary admin (owner@) holds connections to all five CRMs, so Sync CRM has
 *   something to copy; the secondary admin (admin@) has HubSpot only and is the usual source of
 *   Sync Settings to User; ten reps whose settings differ from the admin's in every category, so
 *   every category's sync shows a visible diff; one invited user without a dashboard, so the
 *   `dashboard_missing` path can be demonstrated.
 * - Globex: a second tenant, so tenancy isolation can be demonstrated.
 */

/** Every demo user signs in with this password (local demo only). */
export const DEMO_PASSWORD = 'demo-password';

export type DemoSettings = { [K in ValueCategoryKey]?: z.input<(typeof CATEGORY_SCHEMAS)[K]> };

export interface DemoDashboard {
  settings: DemoSettings;
  crmConnections: CrmCredentials[];
}

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  teams: string[];
  /** null: provisioned but setup not complete, so settings cannot be pushed (SPEC §1). */
  dashboard: DemoDashboard | null;
}

export interface DemoOrganization {
  name: string;
  teams: string[];
  users: DemoUser[];
}

/**
 * Where the demo credentials say their CRM lives: the vendors' own URL shapes, never a local
 * port. In demo mode the local emulators run on free ports and every CRM's base URL is pointed
 * at them (main.ts); with the emulators off, Sync CRM reaches for the vendor and, offline, fails
 * as unreachable instead of talking to whatever listens on some fixed port.
 */
export const DEMO_CRM_INSTANCE = {
  salesforceInstanceUrl: 'https://acme-demo.my.salesforce.com',
  zohoApiDomain: 'https://www.zohoapis.com',
  pipedriveApiDomain: 'https://acme.pipedrive.com',
} as const;

/** A demo user's seat: the primary admin, the secondary admin, or rep N. */
type DemoSeat = 'owner' | 'admin' | number;

function seatNumber(seat: DemoSeat): number {
  if (seat === 'owner') return 1;
  if (seat === 'admin') return 2;
  return 10 + seat;
}

/**
 * The demo users' ids in each CRM (owner@ seat 1, admin@ seat 2, repN@ seat 10+N), written
 * once: the owner properties below use them, and the emulators are given them
 * (DEMO_CRM_ACCOUNTS) so the demo's Sync CRM finds these owners.
 */
const DEMO_CRM_IDS: Record<CrmKey, (seat: DemoSeat) => string> = {
  hubspot: (seat) => String(41_629_700 + seatNumber(seat)),
  salesforce: (seat) => `005${String(seatNumber(seat)).padStart(12, '0')}AAA`,
  zoho: (seat) =>
    `4876876000000225${seat === 'owner' ? '013' : seat === 'admin' ? '014' : String(100 + seat)}`,
  attio: (seat) => `6f0c1a52-3b7e-4d1a-9c55-0a1b2c3d4e${String(seatNumber(seat)).padStart(2, '0')}`,
  pipedrive: (seat) => String(13_057_000 + seatNumber(seat)),
};

// --- input types, derived from the schemas ------------------------------------------------------

type Input<K extends ValueCategoryKey> = NonNullable<DemoSettings[K]>;
type PropertyInput = NonNullable<Input<'custom_properties'>['properties']>[number];
type StageInput = NonNullable<Input<'pipeline_stages'>['stages']>[number];
type RecordTypeInput = NonNullable<Input<'pipeline_stages'>['salesforceRecordTypes']>[number];
type MeetingTitleInput = NonNullable<Input<'meeting_titles'>['templates']>[number];
type MessageTemplateInput = NonNullable<Input<'email_templates'>['templates']>[number];

const ACME_EAST = 'Sales East';
const ACME_WEST = 'Sales West';

// --- shared building blocks ---------------------------------------------------------------------

/**
 * The owner property of one CRM: the user's own CRM owner as the single option of an
 * enumeration (the CRM-side "assistant_owner" picklist, see crm-api-notes.md). Never copied by
 * a sync (SPEC §2).
 */
function ownerProperty(
  crm: CrmKey,
  name: string,
  ownerId: string,
  userName: string,
): PropertyInput {
  return {
    crm,
    object: 'deal',
    name,
    label: 'Assistant owner',
    type: 'enumeration',
    options: [{ label: userName, value: ownerId }],
    ownerProperty: true,
  };
}

const DEAL_SOURCE_OPTIONS = [
  { label: 'Inbound', value: 'inbound' },
  { label: 'Outbound', value: 'outbound' },
  { label: 'Partner referral', value: 'partner_referral' },
  { label: 'Event', value: 'event' },
];

const BUYING_ROLE_OPTIONS = [
  { label: 'Champion', value: 'champion' },
  { label: 'Economic buyer', value: 'economic_buyer' },
  { label: 'Technical evaluator', value: 'technical_evaluator' },
  { label: 'End user', value: 'end_user' },
];

/** A stage in every CRM's vocabulary (HubSpot default pipeline ids, Salesforce StageName…). */
interface StageTemplate {
  internalId: string;
  name: string;
  probability: number;
  mappings: Partial<Record<CrmKey, string>>;
}

const STAGE_LIBRARY = {
  discovery: {
    internalId: 'stage.discovery',
    name: 'Discovery',
    probability: 10,
    mappings: {
      hubspot: 'appointmentscheduled',
      salesforce: 'Prospecting',
      zoho: 'Qualification',
      attio: 'Lead',
      pipedrive: '1',
    },
  },
  qualification: {
    internalId: 'stage.qualification',
    name: 'Qualified',
    probability: 20,
    mappings: {
      hubspot: 'qualifiedtobuy',
      salesforce: 'Qualification',
      zoho: 'Needs Analysis',
      attio: 'Qualified',
      pipedrive: '2',
    },
  },
  demo: {
    internalId: 'stage.demo',
    name: 'Demo scheduled',
    probability: 40,
    mappings: {
      hubspot: 'presentationscheduled',
      salesforce: 'Needs Analysis',
      zoho: 'Value Proposition',
      attio: 'In Progress',
      pipedrive: '3',
    },
  },
  proposal: {
    internalId: 'stage.proposal',
    name: 'Proposal sent',
    probability: 60,
    mappings: {
      hubspot: 'decisionmakerboughtin',
      salesforce: 'Proposal/Price Quote',
      zoho: 'Proposal/Price Quote',
      attio: 'Proposal',
      pipedrive: '4',
    },
  },
  negotiation: {
    internalId: 'stage.negotiation',
    name: 'Negotiation',
    probability: 80,
    mappings: {
      hubspot: 'contractsent',
      salesforce: 'Negotiation/Review',
      zoho: 'Negotiation/Review',
      attio: 'Negotiation',
      pipedrive: '5',
    },
  },
  legalReview: {
    internalId: 'stage.legal_review',
    name: 'Legal review',
    probability: 90,
    mappings: {
      hubspot: '1034561',
      salesforce: 'Legal Review',
      zoho: 'Legal Review',
      attio: 'Legal',
      pipedrive: '6',
    },
  },
  closedWon: {
    internalId: 'stage.closed_won',
    name: 'Closed won',
    probability: 100,
    mappings: { hubspot: 'closedwon', salesforce: 'Closed Won', zoho: 'Closed Won', attio: 'Won' },
  },
  closedLost: {
    internalId: 'stage.closed_lost',
    name: 'Closed lost',
    probability: 0,
    mappings: {
      hubspot: 'closedlost',
      salesforce: 'Closed Lost',
      zoho: 'Closed Lost',
      attio: 'Lost',
    },
  },
} as const satisfies Record<string, StageTemplate>;

/** Turns an ordered list of stage templates into stage inputs, keeping only `crms`' mappings. */
function stages(templates: readonly StageTemplate[], crms: readonly CrmKey[]): StageInput[] {
  return templates.map((template, index) => ({
    internalId: template.internalId,
    name: template.name,
    order: index,
    probability: template.probability,
    crmStageMappings: Object.fromEntries(
      crms.flatMap((crm) => {
        const mapping = template.mappings[crm];
        return mapping === undefined ? [] : [[crm, mapping]];
      }),
    ),
  }));
}

const ACME_COMPANY = {
  companyName: 'Acme Corporation',
  website: 'https://acme.test',
  industry: 'Industrial automation software',
  valueProposition:
    'Acme Cloud connects every machine on the shop floor in days, not months: predictive maintenance cuts unplanned downtime by 30% and pays for itself within two quarters.',
};

// --- Acme: primary admin (owner@acme.test) -------------------------------------------------------

const OWNER_NAME = 'Olivia Bennett';

/** The primary admin's CRM owner ids, one per CRM (the ids the emulators should seed for her). */
const OWNER_CRM_OWNER_IDS: Record<CrmKey, string> = {
  hubspot: DEMO_CRM_IDS.hubspot('owner'),
  salesforce: DEMO_CRM_IDS.salesforce('owner'),
  zoho: DEMO_CRM_IDS.zoho('owner'),
  attio: DEMO_CRM_IDS.attio('owner'),
  pipedrive: DEMO_CRM_IDS.pipedrive('owner'),
};

const ownerSettings: DemoSettings = {
  custom_properties: {
    properties: [
      ownerProperty('hubspot', 'assistant_owner', OWNER_CRM_OWNER_IDS.hubspot, OWNER_NAME),
      ownerProperty('salesforce', 'Assistant_Owner__c', OWNER_CRM_OWNER_IDS.salesforce, OWNER_NAME),
      ownerProperty('zoho', 'Assistant_Owner', OWNER_CRM_OWNER_IDS.zoho, OWNER_NAME),
      ownerProperty('attio', 'assistant_owner', OWNER_CRM_OWNER_IDS.attio, OWNER_NAME),
      ownerProperty('pipedrive', 'assistant_owner', OWNER_CRM_OWNER_IDS.pipedrive, OWNER_NAME),
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'deal_source',
        label: 'Deal source',
        type: 'enumeration',
        options: DEAL_SOURCE_OPTIONS,
      },
      {
        crm: 'hubspot',
        object: 'company',
        name: 'target_account',
        label: 'Target account',
        type: 'bool',
      },
      {
        crm: 'salesforce',
        object: 'deal',
        name: 'Deal_Source__c',
        label: 'Deal source',
        type: 'enumeration',
        options: DEAL_SOURCE_OPTIONS,
      },
      {
        crm: 'salesforce',
        object: 'deal',
        name: 'Expected_Seats__c',
        label: 'Expected seats',
        type: 'number',
      },
      {
        crm: 'zoho',
        object: 'contact',
        name: 'Buying_Role',
        label: 'Buying role',
        type: 'enumeration',
        options: BUYING_ROLE_OPTIONS,
      },
      {
        crm: 'pipedrive',
        object: 'deal',
        name: 'expected_seats',
        label: 'Expected seats',
        type: 'number',
      },
    ],
  },
  pipeline_stages: {
    stages: stages(
      [
        STAGE_LIBRARY.discovery,
        STAGE_LIBRARY.qualification,
        STAGE_LIBRARY.demo,
        STAGE_LIBRARY.proposal,
        STAGE_LIBRARY.negotiation,
        STAGE_LIBRARY.legalReview,
        STAGE_LIBRARY.closedWon,
        STAGE_LIBRARY.closedLost,
      ],
      ['hubspot', 'salesforce', 'zoho', 'attio', 'pipedrive'],
    ),
    salesforceRecordTypes: [
      {
        recordTypeId: '012000000000001AAA',
        name: 'New Business',
        developerName: 'New_Business',
        stageInternalIds: [
          'stage.discovery',
          'stage.qualification',
          'stage.demo',
          'stage.proposal',
          'stage.negotiation',
          'stage.legal_review',
          'stage.closed_won',
          'stage.closed_lost',
        ],
      },
      {
        recordTypeId: '012000000000002AAA',
        name: 'Renewal',
        developerName: 'Renewal',
        stageInternalIds: [
          'stage.proposal',
          'stage.negotiation',
          'stage.closed_won',
          'stage.closed_lost',
        ],
      },
      {
        recordTypeId: '012000000000003AAA',
        name: 'Channel Partner (retired)',
        developerName: 'Channel_Partner',
        stageInternalIds: ['stage.discovery', 'stage.closed_won', 'stage.closed_lost'],
        isActive: false,
      },
    ],
  },
  company_details: {
    ...ACME_COMPANY,
    description:
      'Acme Corporation builds Acme Cloud, an industrial IoT platform for mid-market manufacturers. Headquartered in Chicago with 420 employees and offices in Boston, Austin and Denver.',
    competitors: ['Initech', 'Umbrella Systems', 'Hooli Industrial', 'Soylent Automation'],
  },
  meeting_titles: {
    templates: [
      {
        id: 'mt.exec_briefing',
        title: '{{company}} <> Acme | Executive briefing',
        appliesTo: { meetingTypes: ['negotiation'], externalOnly: true, minAttendees: 3 },
      },
      {
        id: 'mt.onboarding',
        title: 'Welcome to Acme Cloud: {{company}} onboarding ({{date}})',
        appliesTo: { meetingTypes: ['onboarding'] },
      },
      {
        id: 'mt.default',
        title: '{{company}} / Acme: {{meeting_type}}',
      },
    ],
  },
  alternate_domains: {
    domains: ['acme.example', 'acmecorp.test', 'acme-holdings.test', 'acme-labs.test'],
  },
  partnership_domains: {
    domains: [
      'northwind.example',
      'contoso.example',
      'fabrikam.example',
      'tailspin.example',
      'woodgrove.example',
    ],
  },
  task_settings: {
    defaultDueOffsetDays: 2,
    defaultPriority: 'medium',
    autoCreateFollowUps: true,
    assignment: 'self',
    crmTaskQueue: null,
  },
  email_templates: {
    templates: [
      {
        id: 'tpl.owner.exec_intro',
        kind: 'email',
        name: 'Executive introduction',
        subject: 'Introduction from Acme: {{company}} and Acme Cloud',
        body: 'Hi {{contact_first_name}},\n\nI lead revenue at Acme. {{rep_name}} has told me a lot about the work at {{company}}, and I would love to join your next call to make sure we support your rollout at the executive level.\n\nBest,\nOlivia',
      },
      {
        id: 'tpl.owner.slack_big_deal',
        kind: 'slack',
        name: 'Big deal alert',
        body: ':rotating_light: {{deal_name}} ({{deal_amount}}) just moved to {{stage_name}}. Owner: {{rep_name}}.',
      },
      {
        id: 'tpl.owner.crm_note_qbr',
        kind: 'crm_note',
        name: 'QBR summary',
        body: 'QBR with {{company}} on {{meeting_date}}.\nAttendees: {{attendees}}\nHealth: {{health_score}}\nRisks: \nExpansion opportunities: ',
      },
    ],
  },
  advanced_settings: {
    contextNotifications: { enabled: true, channels: ['slack', 'in_app'], minutesBefore: 120 },
    autoLogMeetings: true,
    autoCreateContacts: true,
    includeInternalMeetings: true,
    weeklyDigest: true,
  },
};

// --- Acme: secondary admin (admin@acme.test), the usual Sync Settings source --------------------

const ADMIN_NAME = 'Marcus Reed';
const ADMIN_HUBSPOT_OWNER_ID = DEMO_CRM_IDS.hubspot('admin');

/** The admin's standard process: the stages the reps' own pipelines partly overlap with. */
const ADMIN_STAGE_TEMPLATES = [
  STAGE_LIBRARY.discovery,
  STAGE_LIBRARY.qualification,
  STAGE_LIBRARY.demo,
  STAGE_LIBRARY.proposal,
  STAGE_LIBRARY.negotiation,
  STAGE_LIBRARY.closedWon,
  STAGE_LIBRARY.closedLost,
] as const;

const adminRecordTypes: RecordTypeInput[] = [
  {
    recordTypeId: '012000000000001AAA',
    name: 'New Business',
    developerName: 'New_Business',
    stageInternalIds: ADMIN_STAGE_TEMPLATES.map((stage) => stage.internalId),
  },
  {
    recordTypeId: '012000000000004AAA',
    name: 'Partner Deal',
    developerName: 'Partner_Deal',
    stageInternalIds: [
      'stage.qualification',
      'stage.proposal',
      'stage.closed_won',
      'stage.closed_lost',
    ],
  },
];

const adminSettings: DemoSettings = {
  custom_properties: {
    properties: [
      ownerProperty('hubspot', 'assistant_owner', ADMIN_HUBSPOT_OWNER_ID, ADMIN_NAME),
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'deal_source',
        label: 'Deal source',
        type: 'enumeration',
        options: DEAL_SOURCE_OPTIONS,
      },
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'competitor_mentioned',
        label: 'Competitor mentioned',
        type: 'string',
      },
      {
        crm: 'hubspot',
        object: 'deal',
        name: 'contract_start_date',
        label: 'Contract start date',
        type: 'date',
      },
      {
        crm: 'hubspot',
        object: 'contact',
        name: 'buying_role',
        label: 'Buying role',
        type: 'enumeration',
        options: BUYING_ROLE_OPTIONS,
      },
      {
        crm: 'hubspot',
        object: 'company',
        name: 'target_account',
        label: 'Target account',
        type: 'bool',
      },
    ],
  },
  pipeline_stages: {
    stages: stages(ADMIN_STAGE_TEMPLATES, ['hubspot', 'salesforce']),
    salesforceRecordTypes: adminRecordTypes,
  },
  company_details: {
    ...ACME_COMPANY,
    description:
      'Acme Corporation builds Acme Cloud, an industrial IoT platform for mid-market manufacturers (200–2,000 employees). Our reps sell to plant managers and VPs of operations in North America.',
    competitors: ['Initech', 'Umbrella Systems', 'Hooli Industrial'],
  },
  meeting_titles: {
    templates: [
      {
        id: 'mt.discovery',
        title: '{{company}} <> Acme | Discovery call',
        appliesTo: { meetingTypes: ['discovery'], externalOnly: true, minAttendees: 2 },
      },
      {
        id: 'mt.demo',
        title: 'Acme Cloud demo for {{company}} ({{contact_name}})',
        appliesTo: { meetingTypes: ['demo'] },
      },
      {
        id: 'mt.negotiation',
        title: '{{deal_name}}: commercial review',
        appliesTo: { meetingTypes: ['negotiation'], minAttendees: 2 },
      },
      {
        id: 'mt.default',
        title: '{{company}} / Acme: {{meeting_type}} with {{rep_name}}',
      },
    ],
  },
  alternate_domains: { domains: ['acme.example', 'acmecorp.test', 'acme-labs.test'] },
  partnership_domains: {
    domains: ['northwind.example', 'contoso.example', 'fabrikam.example'],
  },
  task_settings: {
    defaultDueOffsetDays: 3,
    defaultPriority: 'high',
    autoCreateFollowUps: true,
    assignment: 'record_owner',
    crmTaskQueue: 'Sales follow-ups',
  },
  email_templates: {
    templates: [
      {
        id: 'tpl.follow_up',
        kind: 'email',
        name: 'Post-meeting follow-up',
        subject: 'Great speaking today, {{contact_first_name}}',
        body: 'Hi {{contact_first_name}},\n\nThanks for your time today. As promised, here is a recap of what we discussed:\n\n{{meeting_summary}}\n\nNext step: {{next_step}}\n\nBest,\n{{rep_name}}',
      },
      {
        id: 'tpl.deal_alert',
        kind: 'slack',
        name: 'Deal stage change',
        body: '{{rep_name}} moved {{deal_name}} to {{stage_name}} ({{deal_amount}}).',
      },
      {
        id: 'tpl.meeting_summary',
        kind: 'crm_note',
        name: 'Meeting summary',
        body: 'Meeting with {{company}} on {{meeting_date}}.\nPain points: {{pain_points}}\nNext step: {{next_step}}',
      },
    ],
  },
  advanced_settings: {
    contextNotifications: { enabled: true, channels: ['email', 'slack'], minutesBefore: 60 },
    autoLogMeetings: true,
    autoCreateContacts: true,
    includeInternalMeetings: false,
    weeklyDigest: true,
  },
};

// --- Acme: reps ----------------------------------------------------------------------------------

interface RepProfile {
  n: number;
  name: string;
  teams: string[];
  territory: string;
  accountFocus: string;
  /** A domain only this rep's book of business uses (regional subsidiary). */
  regionalDomain: string;
  /** A partner only this rep works with. */
  partnerDomain: string;
  /** A stage of the rep's own process that the admin's pipeline lacks. */
  ownStage: { id: string; name: string; probability: number; hubspotStageId: string };
  competitors: string[];
}

const REP_PROFILES: readonly RepProfile[] = [
  {
    n: 1,
    name: 'Priya Natarajan',
    teams: [ACME_EAST],
    territory: 'New England',
    accountFocus: 'enterprise food & beverage plants',
    regionalDomain: 'acme-boston.test',
    partnerDomain: 'alpine-integrators.example',
    ownStage: {
      id: 'stage.pilot',
      name: 'Pilot running',
      probability: 50,
      hubspotStageId: '1034571',
    },
    competitors: ['Initech', 'Hooli Industrial'],
  },
  {
    n: 2,
    name: 'Daniel Okafor',
    teams: [ACME_EAST],
    territory: 'New York metro',
    accountFocus: 'pharmaceutical packaging lines',
    regionalDomain: 'acme-nyc.test',
    partnerDomain: 'brightline-consulting.example',
    ownStage: {
      id: 'stage.security_review',
      name: 'Security review',
      probability: 55,
      hubspotStageId: '1034572',
    },
    competitors: ['Umbrella Systems', 'Initech'],
  },
  {
    n: 3,
    name: 'Sofia Marchetti',
    teams: [ACME_EAST],
    territory: 'Mid-Atlantic',
    accountFocus: 'automotive tier-2 suppliers',
    regionalDomain: 'acme-philly.test',
    partnerDomain: 'cobalt-automation.example',
    ownStage: {
      id: 'stage.technical_validation',
      name: 'Technical validation',
      probability: 45,
      hubspotStageId: '1034573',
    },
    competitors: ['Hooli Industrial', 'Soylent Automation'],
  },
  {
    n: 4,
    name: "Liam O'Connor",
    teams: [ACME_EAST],
    territory: 'Southeast',
    accountFocus: 'plastics and chemicals plants',
    regionalDomain: 'acme-atlanta.test',
    partnerDomain: 'delta-plant-services.example',
    ownStage: {
      id: 'stage.business_case',
      name: 'Business case approved',
      probability: 55,
      hubspotStageId: '1034574',
    },
    competitors: ['Initech', 'Umbrella Systems', 'Soylent Automation'],
  },
  {
    n: 5,
    name: 'Hana Kobayashi',
    teams: [ACME_EAST, ACME_WEST],
    territory: 'Great Lakes',
    accountFocus: 'steel and metal fabrication',
    regionalDomain: 'acme-detroit.test',
    partnerDomain: 'evergreen-mes.example',
    ownStage: {
      id: 'stage.champion_identified',
      name: 'Champion identified',
      probability: 30,
      hubspotStageId: '1034575',
    },
    competitors: ['Umbrella Systems'],
  },
  {
    n: 6,
    name: 'Carlos Mendoza',
    teams: [ACME_EAST, ACME_WEST],
    territory: 'Texas and Oklahoma',
    accountFocus: 'oil & gas equipment makers',
    regionalDomain: 'acme-austin.test',
    partnerDomain: 'frontier-controls.example',
    ownStage: {
      id: 'stage.budget_confirmed',
      name: 'Budget confirmed',
      probability: 50,
      hubspotStageId: '1034576',
    },
    competitors: ['Initech', 'Hooli Industrial', 'Vandelay Controls'],
  },
  {
    n: 7,
    name: 'Emily Zhang',
    teams: [ACME_WEST],
    territory: 'Northern California',
    accountFocus: 'semiconductor equipment fabs',
    regionalDomain: 'acme-sf.test',
    partnerDomain: 'granite-robotics.example',
    ownStage: { id: 'stage.trial', name: 'Free trial', probability: 35, hubspotStageId: '1034577' },
    competitors: ['Hooli Industrial', 'Pied Piper IoT'],
  },
  {
    n: 8,
    name: 'Noah Fischer',
    teams: [ACME_WEST],
    territory: 'Pacific Northwest',
    accountFocus: 'aerospace composites',
    regionalDomain: 'acme-seattle.test',
    partnerDomain: 'harbor-systems.example',
    ownStage: {
      id: 'stage.mutual_action_plan',
      name: 'Mutual action plan agreed',
      probability: 55,
      hubspotStageId: '1034578',
    },
    competitors: ['Umbrella Systems', 'Initech'],
  },
  {
    n: 9,
    name: 'Aisha Rahman',
    teams: [ACME_WEST],
    territory: 'Southwest',
    accountFocus: 'medical device manufacturers',
    regionalDomain: 'acme-phoenix.test',
    partnerDomain: 'ironwood-partners.example',
    ownStage: {
      id: 'stage.solution_design',
      name: 'Solution design',
      probability: 45,
      hubspotStageId: '1034579',
    },
    competitors: ['Soylent Automation', 'Hooli Industrial'],
  },
  {
    n: 10,
    name: 'Jonas Lindqvist',
    teams: [ACME_WEST],
    territory: 'Mountain West',
    accountFocus: 'mining and heavy equipment',
    regionalDomain: 'acme-denver.test',
    partnerDomain: 'juniper-field-ops.example',
    ownStage: {
      id: 'stage.executive_sponsor',
      name: 'Executive sponsor engaged',
      probability: 60,
      hubspotStageId: '1034580',
    },
    competitors: ['Initech', 'Vandelay Controls'],
  },
];

/** A rep's HubSpot owner id: 41629711 for rep1 … 41629720 for rep10. */
function repHubspotOwnerId(n: number): string {
  return DEMO_CRM_IDS.hubspot(n);
}

/** rep1 also runs a Pipedrive account of their own (a legacy territory book). */
const REP1_PIPEDRIVE_OWNER_ID = DEMO_CRM_IDS.pipedrive(1);

const TASK_PRIORITY_CYCLE = ['medium', 'low', 'high'] as const;
const TASK_ASSIGNMENT_CYCLE = ['record_owner', 'meeting_host', 'self'] as const;
const CHANNEL_CYCLE = [['email'], ['in_app'], ['email', 'in_app'], ['slack', 'email']] as const;

function repStages(profile: RepProfile): StageInput[] {
  const own: StageTemplate = {
    internalId: profile.ownStage.id,
    name: profile.ownStage.name,
    probability: profile.ownStage.probability,
    mappings: { hubspot: profile.ownStage.hubspotStageId },
  };
  // Reps share discovery/demo/proposal/closed stages with the admin, skip qualification and
  // negotiation, and add one stage of their own: a stage merge then adds, updates and keeps.
  const demo: StageTemplate = {
    ...STAGE_LIBRARY.demo,
    name: profile.n % 2 === 0 ? 'Demo held' : 'Demo scheduled',
    probability: 30 + (profile.n % 3) * 5,
  };
  return stages(
    [
      STAGE_LIBRARY.discovery,
      demo,
      own,
      STAGE_LIBRARY.proposal,
      STAGE_LIBRARY.closedWon,
      STAGE_LIBRARY.closedLost,
    ],
    profile.n === 1 ? ['hubspot', 'pipedrive'] : ['hubspot'],
  );
}

function repMeetingTitles(profile: RepProfile): MeetingTitleInput[] {
  const firstName = profile.name.split(' ')[0] ?? profile.name;
  return [
    {
      id: `mt.rep${profile.n}.intro`,
      title: `{{company}} x Acme: intro with ${firstName}`,
      appliesTo: { meetingTypes: ['discovery'], externalOnly: true, minAttendees: 2 },
    },
    {
      id: `mt.rep${profile.n}.demo`,
      title:
        profile.n % 2 === 0
          ? '{{company}} | Acme Cloud walkthrough ({{date}})'
          : 'Acme Cloud demo: {{contact_name}} at {{company}}',
      appliesTo: { meetingTypes: ['demo', 'follow_up'] },
    },
    {
      id: `mt.rep${profile.n}.default`,
      title: `{{company}} / ${profile.territory}: {{meeting_type}}`,
    },
  ];
}

function repEmailTemplates(profile: RepProfile): MessageTemplateInput[] {
  const firstName = profile.name.split(' ')[0] ?? profile.name;
  return [
    {
      id: `tpl.rep${profile.n}.follow_up`,
      kind: 'email',
      name: `${firstName}'s follow-up`,
      subject:
        profile.n % 2 === 0
          ? 'Next steps for {{company}} and Acme Cloud'
          : 'Recap: {{company}} <> Acme ({{meeting_date}})',
      body: `Hi {{contact_first_name}},\n\nThanks again for walking me through your ${profile.accountFocus} operation. I have attached the case study I mentioned.\n\n{{meeting_summary}}\n\nTalk soon,\n${firstName}`,
    },
    {
      id: `tpl.rep${profile.n}.slack_won`,
      kind: 'slack',
      name: 'Won deal shout-out',
      body: `:tada: ${profile.territory} just closed {{deal_name}} ({{deal_amount}})!`,
    },
    {
      id: `tpl.rep${profile.n}.crm_note`,
      kind: 'crm_note',
      name: 'Call notes',
      body: `${profile.territory} call with {{company}} ({{meeting_date}}).\nFocus: ${profile.accountFocus}\nNext step: {{next_step}}`,
    },
  ];
}

function repSettings(profile: RepProfile): DemoSettings {
  const properties: PropertyInput[] = [
    ownerProperty('hubspot', 'assistant_owner', repHubspotOwnerId(profile.n), profile.name),
    {
      crm: 'hubspot',
      object: 'deal',
      name: 'deal_source',
      label: 'Deal source',
      type: 'enumeration',
      // Reps trimmed the list to the sources they actually use.
      options: DEAL_SOURCE_OPTIONS.slice(0, 2 + (profile.n % 3)),
    },
    {
      crm: 'hubspot',
      object: 'deal',
      name: 'territory',
      label: 'Territory',
      type: 'enumeration',
      options: [{ label: profile.territory, value: `territory_rep${profile.n}` }],
    },
    {
      crm: 'hubspot',
      object: 'contact',
      name: 'buying_role',
      label: 'Buying role',
      type: 'enumeration',
      options: BUYING_ROLE_OPTIONS,
    },
  ];
  if (profile.n === 1) {
    properties.push(
      ownerProperty('pipedrive', 'assistant_owner', REP1_PIPEDRIVE_OWNER_ID, profile.name),
      {
        crm: 'pipedrive',
        object: 'deal',
        name: 'expected_seats',
        label: 'Expected seats',
        type: 'number',
      },
    );
  }

  return {
    custom_properties: { properties },
    pipeline_stages: { stages: repStages(profile) },
    company_details: {
      ...ACME_COMPANY,
      description: `Acme Corporation builds Acme Cloud, an industrial IoT platform for mid-market manufacturers. ${profile.name} covers ${profile.territory}, focusing on ${profile.accountFocus}.`,
      competitors: profile.competitors,
    },
    meeting_titles: { templates: repMeetingTitles(profile) },
    alternate_domains: { domains: ['acme.example', profile.regionalDomain] },
    partnership_domains: { domains: ['northwind.example', profile.partnerDomain] },
    task_settings: {
      // 4 … 13 days: unique per rep and different from both admins' offsets.
      defaultDueOffsetDays: profile.n + 3,
      defaultPriority: TASK_PRIORITY_CYCLE[profile.n % TASK_PRIORITY_CYCLE.length],
      autoCreateFollowUps: profile.n % 4 !== 0,
      assignment: TASK_ASSIGNMENT_CYCLE[profile.n % TASK_ASSIGNMENT_CYCLE.length],
      crmTaskQueue: profile.n % 2 === 0 ? `${profile.territory} follow-ups` : null,
    },
    email_templates: { templates: repEmailTemplates(profile) },
    advanced_settings: {
      contextNotifications: {
        enabled: profile.n !== 9,
        channels: [...(CHANNEL_CYCLE[profile.n % CHANNEL_CYCLE.length] ?? ['email'])],
        // 10 … 55 minutes: unique per rep and different from both admins'.
        minutesBefore: 5 + profile.n * 5,
      },
      autoLogMeetings: profile.n % 5 !== 0,
      autoCreateContacts: profile.n % 2 === 1,
      includeInternalMeetings: profile.n % 3 === 0,
      weeklyDigest: profile.n % 4 !== 1,
    },
  };
}

function repConnections(profile: RepProfile): CrmCredentials[] {
  if (profile.n !== 1) return [];
  return [
    {
      crm: 'pipedrive',
      secrets: { apiToken: 'pd-demo-rep1-own-account-api-token-0011' },
      instance: { apiDomain: DEMO_CRM_INSTANCE.pipedriveApiDomain },
    },
  ];
}

function repUser(profile: RepProfile): DemoUser {
  return {
    email: `rep${profile.n}@acme.test`,
    name: profile.name,
    role: 'member',
    status: 'active',
    teams: profile.teams,
    dashboard: { settings: repSettings(profile), crmConnections: repConnections(profile) },
  };
}

// --- Acme: CRM connections ------------------------------------------------------------------------

/** The organization's CRM keys (SPEC §1: the primary admin's dashboard is their source). */
const ownerConnections: CrmCredentials[] = [
  {
    crm: 'hubspot',
    secrets: {
      accessToken: 'pat-na1-demo-owner-hubspot-access-0001',
      refreshToken: 'pat-na1-demo-owner-hubspot-refresh-0001',
    },
    instance: { portalId: '24681357' },
  },
  {
    crm: 'salesforce',
    secrets: {
      accessToken: '00Ddemo000000001!demo-owner-salesforce-access-0001',
      refreshToken: '5Aep861demo-owner-salesforce-refresh-0001',
    },
    instance: { instanceUrl: DEMO_CRM_INSTANCE.salesforceInstanceUrl },
  },
  {
    crm: 'zoho',
    secrets: {
      accessToken: '1000.demo-owner-zoho-access-token-0001',
      refreshToken: '1000.demo-owner-zoho-refresh-token-0001',
    },
    instance: { apiDomain: DEMO_CRM_INSTANCE.zohoApiDomain },
  },
  {
    crm: 'attio',
    secrets: { accessToken: 'attio-demo-owner-workspace-token-0001' },
    instance: { workspaceSlug: 'acme' },
  },
  {
    crm: 'pipedrive',
    secrets: { apiToken: 'pd-demo-owner-company-api-token-0001' },
    instance: { apiDomain: DEMO_CRM_INSTANCE.pipedriveApiDomain },
  },
];

const adminConnections: CrmCredentials[] = [
  {
    crm: 'hubspot',
    secrets: { accessToken: 'pat-na1-demo-admin-hubspot-access-0002' },
    instance: { portalId: '24681357' },
  },
];

// --- Globex --------------------------------------------------------------------------------------

const globexAdminSettings: DemoSettings = {
  company_details: {
    companyName: 'Globex Corporation',
    website: 'https://globex.test',
    description: 'Globex sells energy-management systems to commercial real-estate portfolios.',
    industry: 'Energy management',
    valueProposition: 'Cut building energy spend by 18% with no capital outlay.',
    competitors: ['Initrode', 'Massive Dynamic'],
  },
  pipeline_stages: {
    stages: [
      {
        internalId: 'stage.lead',
        name: 'Lead',
        order: 0,
        probability: 5,
        crmStageMappings: { hubspot: 'appointmentscheduled' },
      },
      {
        internalId: 'stage.site_survey',
        name: 'Site survey',
        order: 1,
        probability: 40,
        crmStageMappings: { hubspot: 'presentationscheduled' },
      },
      {
        internalId: 'stage.closed_won',
        name: 'Closed won',
        order: 2,
        probability: 100,
        crmStageMappings: { hubspot: 'closedwon' },
      },
    ],
  },
  alternate_domains: { domains: ['globex.example'] },
  task_settings: { defaultDueOffsetDays: 1, defaultPriority: 'high' },
  advanced_settings: { contextNotifications: { enabled: false } },
};

const globexRepSettings: DemoSettings = {
  company_details: {
    companyName: 'Globex Corporation',
    website: 'https://globex.test',
    industry: 'Energy management',
  },
};

// --- the organizations ---------------------------------------------------------------------------

export const DEMO_ORGANIZATIONS: readonly DemoOrganization[] = [
  {
    name: 'Acme',
    teams: [ACME_EAST, ACME_WEST],
    users: [
      {
        email: 'owner@acme.test',
        name: OWNER_NAME,
        role: 'primary_admin',
        status: 'active',
        teams: [ACME_EAST],
        dashboard: { settings: ownerSettings, crmConnections: ownerConnections },
      },
      {
        email: 'admin@acme.test',
        name: ADMIN_NAME,
        role: 'admin',
        status: 'active',
        teams: [ACME_EAST, ACME_WEST],
        dashboard: { settings: adminSettings, crmConnections: adminConnections },
      },
      ...REP_PROFILES.map(repUser),
      {
        email: 'pending@acme.test',
        name: 'Ethan Walker',
        role: 'member',
        status: 'invited',
        teams: [ACME_EAST],
        dashboard: null,
      },
    ],
  },
  {
    name: 'Globex',
    teams: ['Sales'],
    users: [
      {
        email: 'admin@globex.test',
        name: 'Hank Scorpio',
        role: 'primary_admin',
        status: 'active',
        teams: ['Sales'],
        dashboard: { settings: globexAdminSettings, crmConnections: [] },
      },
      {
        email: 'rep1@globex.test',
        name: 'Frank Grimes',
        role: 'member',
        status: 'active',
        teams: ['Sales'],
        dashboard: { settings: globexRepSettings, crmConnections: [] },
      },
    ],
  },
];

// --- what the local CRM emulators are given -------------------------------------------------------

/** A CRM's users and accepted keys, in the shape the emulators take (emulators/emulator-accounts.ts). */
export interface DemoCrmAccounts {
  people: { id: string; email: string; name: string; admin: boolean }[];
  tokens: string[];
  refreshTokens: string[];
  /** Token → the id of the person holding it. */
  tokenOwners: Record<string, string>;
}

function seatOf(email: string): DemoSeat | undefined {
  if (email === 'owner@acme.test') return 'owner';
  if (email === 'admin@acme.test') return 'admin';
  const rep = /^rep(\d+)@acme\.test$/.exec(email);
  return rep?.[1] ? Number(rep[1]) : undefined;
}

function demoCrmAccounts(crm: CrmKey): DemoCrmAccounts {
  const accounts: DemoCrmAccounts = { people: [], tokens: [], refreshTokens: [], tokenOwners: {} };
  for (const org of DEMO_ORGANIZATIONS) {
    for (const user of org.users) {
      const seat = seatOf(user.email);
      if (seat === undefined) continue;
      const id = DEMO_CRM_IDS[crm](seat);
      accounts.people.push({
        id,
        email: user.email,
        name: user.name,
        admin: user.role !== 'member',
      });
      for (const connection of user.dashboard?.crmConnections ?? []) {
        if (connection.crm !== crm) continue;
        const secrets: Record<string, string | undefined> = connection.secrets;
        for (const [kind, secret] of Object.entries(secrets)) {
          if (secret === undefined) continue;
          if (kind === 'refreshToken') accounts.refreshTokens.push(secret);
          else accounts.tokens.push(secret);
          accounts.tokenOwners[secret] = id;
        }
      }
    }
  }
  return accounts;
}

/**
 * The demo's CRM accounts: every Acme user (but the invited one) as a user of each CRM, and
 * the demo's keys. main.ts hands them to the emulators in demo mode.
 */
export const DEMO_CRM_ACCOUNTS: Record<CrmKey, DemoCrmAccounts> = {
  hubspot: demoCrmAccounts('hubspot'),
  salesforce: demoCrmAccounts('salesforce'),
  zoho: demoCrmAccounts('zoho'),
  attio: demoCrmAccounts('attio'),
  pipedrive: demoCrmAccounts('pipedrive'),
};
