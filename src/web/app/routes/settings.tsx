import { useId, useState } from 'react';
import { CATEGORIES, isCategoryKey } from '#src/domain/settings/categories.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useMySettings } from '#src/web/features/settings/api/get-my-settings.ts';
import {
  CATEGORY_DESCRIPTIONS,
  keyOfSlug,
  slugOf,
} from '#src/web/features/settings/components/category-meta.ts';
import { CategoryEditor } from '#src/web/features/settings/components/category-editor.tsx';
import { ManagedNotice } from '#src/web/features/settings/components/managed-notice.tsx';
import { ApiTokens } from '#src/web/features/api-tokens/components/api-tokens.tsx';
import { CrmConnections } from '#src/web/features/settings/components/crm-connections.tsx';
import { Link } from '#src/web/lib/router.tsx';
import { NotFoundRoute } from '#src/web/app/routes/not-found.tsx';

const CRM_SLUG = 'crm-connections';
const API_TOKENS_SLUG = 'api-tokens';

/** My settings: one page per category of your own dashboard, and your CRM connections. */
export function SettingsRoute({ slug }: { slug: string | undefined }) {
  return (
    <div className="page settings-layout">
      <nav className="side-nav" aria-label="My settings">
        <p className="side-nav-title">My settings</p>
        <Link to="/settings">Overview</Link>
        {CATEGORIES.map((c) =>
          c.key === 'crm_keys' ? (
            <Link key={c.key} to={`/settings/${CRM_SLUG}`}>
              CRM connections
            </Link>
          ) : (
            <Link key={c.key} to={`/settings/${slugOf(c.key)}`}>
              {c.label}
            </Link>
          ),
        )}
        <Link to={`/settings/${API_TOKENS_SLUG}`}>API tokens</Link>
      </nav>
      <div className="settings-main">
        <SettingsPage slug={slug} />
      </div>
    </div>
  );
}

function SettingsPage({ slug }: { slug: string | undefined }) {
  const settings = useMySettings();
  const [reloads, setReloads] = useState(0);
  const managedId = useId();

  if (slug === CRM_SLUG) {
    return (
      <>
        <PageHeader
          title="CRM connections"
          description="Your CRM keys, one connection per CRM. Keys are shown masked: only their last 4 characters."
        />
        <CrmConnections />
      </>
    );
  }

  if (slug === API_TOKENS_SLUG) {
    return (
      <>
        <PageHeader
          title="API tokens"
          description="Personal API tokens for the ergo CLI and scripts. Each is shown once when created."
        />
        <ApiTokens />
      </>
    );
  }

  const key = slug === undefined ? undefined : keyOfSlug(slug);
  if (key !== undefined && (!isCategoryKey(key) || key === 'crm_keys')) return <NotFoundRoute />;

  if (settings.isLoading) return <LoadingState label="Loading your settings…" />;
  if (settings.isError) {
    return (
      <>
        <PageHeader title="My settings" />
        <ErrorCallout error={settings.error} />
      </>
    );
  }
  const data = settings.data;
  if (!data) return null;

  if (key === undefined) {
    return (
      <>
        <PageHeader
          title="My settings"
          description="Your own dashboard. An admin may sync some of these settings to you; you can always adjust them here."
        />
        <ul className="overview-grid">
          {data.categories.map((c) => (
            <li key={c.key}>
              <Link to={`/settings/${slugOf(c.key)}`} className="overview-card">
                <span className="overview-title">
                  {c.label} {c.isSet ? null : <Badge tone="neutral">Default</Badge>}
                  {c.managed ? (
                    <Badge tone={c.managed.state ? 'warning' : 'accent'} title={c.managed.label}>
                      {c.managed.locked ? 'Locked' : 'Managed'}
                    </Badge>
                  ) : null}
                </span>
                {c.managed ? <span className="small">{c.managed.label}</span> : null}
                <span className="muted small">{CATEGORY_DESCRIPTIONS[c.key]}</span>
              </Link>
            </li>
          ))}
          <li>
            <Link to={`/settings/${CRM_SLUG}`} className="overview-card">
              <span className="overview-title">CRM connections</span>
              <span className="muted small">Your CRM keys, shown masked.</span>
            </Link>
          </li>
        </ul>
      </>
    );
  }

  const category = data.categories.find((c) => c.key === key);
  if (!category) return <NotFoundRoute />;
  return (
    <>
      <PageHeader
        title={category.label}
        description={CATEGORY_DESCRIPTIONS[category.key]}
        actions={
          category.isSet ? null : (
            <Badge tone="neutral" title="You never set this category: these are the defaults.">
              Default values
            </Badge>
          )
        }
      />
      {/* Outside the keyed editor: a reset to the admin's settings outlives the new version. */}
      <ManagedNotice key={category.key} category={category} titleId={managedId} />
      <section className="card card-padded" aria-label={category.label}>
        <CategoryEditor
          key={`${category.key}:${category.version}:${reloads}`}
          category={category}
          dashboardVersion={data.dashboardVersion}
          lockedLabelId={managedId}
          onReload={() => {
            void settings.refetch().then(() => {
              setReloads((n) => n + 1);
            });
          }}
        />
      </section>
    </>
  );
}
