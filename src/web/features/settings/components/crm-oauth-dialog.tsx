import { useState, type SubmitEvent } from 'react';
import { CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useStartOAuth } from '#src/web/features/settings/api/crm-oauth.ts';

const ZOHO_DATA_CENTRE_LABELS: Record<string, string> = {
  com: 'United States (zoho.com)',
  eu: 'Europe (zoho.eu)',
  in: 'India (zoho.in)',
  'com.au': 'Australia (zoho.com.au)',
  jp: 'Japan (zoho.jp)',
  'com.cn': 'China (zoho.com.cn)',
  sa: 'Saudi Arabia (zoho.sa)',
  ca: 'Canada (zohocloud.ca)',
};

const MY_DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.my\.salesforce\.com$/i;

/**
 * "Connect Salesforce" asks which login (production, sandbox, or the org's My Domain); "Connect
 * Zoho" asks the data centre of the customer's Zoho account. Then the browser goes to the CRM.
 */
export function CrmOAuthDialog({
  crm,
  zohoDataCentres,
  onClose,
}: {
  crm: Extract<CrmKey, 'salesforce' | 'zoho'>;
  zohoDataCentres: string[];
  onClose: () => void;
}) {
  const label = CRM_LABELS[crm];
  const start = useStartOAuth();
  const [login, setLogin] = useState<'production' | 'sandbox' | 'my_domain'>('production');
  const [myDomain, setMyDomain] = useState('');
  const [dataCentre, setDataCentre] = useState(zohoDataCentres[0] ?? 'com');
  const [error, setError] = useState<string | undefined>();

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (crm === 'salesforce') {
      const host = myDomain
        .trim()
        .replace(/^https:\/\//i, '')
        .replace(/\/+$/, '');
      if (login === 'my_domain' && !MY_DOMAIN.test(host)) {
        setError('Enter your My Domain, e.g. acme.my.salesforce.com');
        return;
      }
      setError(undefined);
      start.mutate({
        crm,
        salesforceLogin: login,
        ...(login === 'my_domain' ? { myDomain: host } : {}),
      });
    } else {
      start.mutate({ crm, zohoDataCentre: dataCentre });
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      preventClose={start.isPending}
      title={`Connect ${label}`}
      description={`You sign in to ${label} and allow Ergo access; ${label} then sends you back here. Ergo keeps the access encrypted and renews it for you.`}
      footer={
        <>
          <Button disabled={start.isPending} onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form={`oauth-form-${crm}`} variant="primary" busy={start.isPending}>
            Continue to {label}
          </Button>
        </>
      }
    >
      <form id={`oauth-form-${crm}`} onSubmit={submit} noValidate className="form">
        {start.error ? <ErrorCallout error={start.error} /> : null}
        {crm === 'salesforce' ? (
          <>
            <fieldset className="radio-group">
              <legend>Salesforce login</legend>
              {(
                [
                  ['production', 'Production (login.salesforce.com)'],
                  ['sandbox', 'Sandbox (test.salesforce.com)'],
                  ['my_domain', 'My Domain'],
                ] as const
              ).map(([value, text]) => (
                <label key={value} className="radio">
                  <input
                    type="radio"
                    name="salesforce-login"
                    value={value}
                    checked={login === value}
                    onChange={() => {
                      setLogin(value);
                    }}
                  />{' '}
                  {text}
                </label>
              ))}
            </fieldset>
            {login === 'my_domain' ? (
              <Field label="My Domain" hint="e.g. acme.my.salesforce.com" error={error}>
                {(props) => (
                  <input
                    {...props}
                    type="text"
                    autoComplete="off"
                    spellCheck={false}
                    value={myDomain}
                    onChange={(event) => {
                      setMyDomain(event.target.value);
                    }}
                  />
                )}
              </Field>
            ) : null}
          </>
        ) : (
          <Field
            label="Zoho data centre"
            hint="Where your Zoho account lives: the domain you sign in at."
          >
            {(props) => (
              <select
                {...props}
                value={dataCentre}
                onChange={(event) => {
                  setDataCentre(event.target.value);
                }}
              >
                {zohoDataCentres.map((dc) => (
                  <option key={dc} value={dc}>
                    {ZOHO_DATA_CENTRE_LABELS[dc] ?? dc}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </form>
    </Dialog>
  );
}
