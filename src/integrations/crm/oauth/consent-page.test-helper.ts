/**
 * The browser's part of "Connect <CRM>" against an emulator's consent page, over real HTTP and
 * without a browser: GET the authorization URL, read the HTML form (its hidden fields, the
 * `person` select, the Allow/Deny buttons), POST it back with the chosen button, and return the
 * 302's Location (the callback URL with `code` and `state`, or `error=access_denied`).
 * Used by the HubSpot, Pipedrive and Attio provider and SDK tests.
 */

export interface ConsentForm {
  /** The form's absolute action URL. */
  action: string;
  title: string;
  hidden: Record<string, string>;
  /** The `person` select's options: value and visible label. */
  people: { value: string; label: string }[];
  buttons: { name: string; value: string; label: string }[];
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** GETs the consent page and reads its form; throws when the page is not a 200 HTML form. */
export async function readConsentForm(authorizationUrl: string): Promise<ConsentForm> {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await response.text();
  if (response.status !== 200 || !response.headers.get('content-type')?.includes('text/html')) {
    throw new Error(`consent page answered ${response.status}: ${html.slice(0, 200)}`);
  }
  const action = /<form[^>]*method="post"[^>]*action="([^"]*)"/i.exec(html)?.[1];
  if (action === undefined) throw new Error('the consent page has no POST form');
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden[unescapeHtml(m[1] ?? '')] = unescapeHtml(m[2] ?? '');
  }
  const select = /<select[^>]*name="person"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  const people = [...select.matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g)].map((m) => ({
    value: unescapeHtml(m[1] ?? ''),
    label: unescapeHtml(m[2] ?? ''),
  }));
  const buttons = [
    ...html.matchAll(/<button type="submit" name="([^"]*)" value="([^"]*)">([^<]*)<\/button>/g),
  ].map((m) => ({ name: m[1] ?? '', value: m[2] ?? '', label: unescapeHtml(m[3] ?? '') }));
  return {
    action: new URL(unescapeHtml(action), authorizationUrl).toString(),
    title: unescapeHtml(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? ''),
    hidden,
    people,
    buttons,
  };
}

/**
 * Presses the button labelled `Allow` or `Deny` (signed in as `personId`, default the first
 * person offered) and returns the redirect's Location as a URL.
 */
export async function submitConsent(
  form: ConsentForm,
  press: 'Allow' | 'Deny',
  personId?: string,
): Promise<URL> {
  const button = form.buttons.find((b) => b.label === press);
  if (button === undefined) throw new Error(`the consent page has no ${press} button`);
  const body = new URLSearchParams(form.hidden);
  body.set('person', personId ?? form.people[0]?.value ?? '');
  body.set(button.name, button.value);
  const response = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    throw new Error(`consent form answered ${response.status}, not a redirect`);
  }
  return new URL(location);
}

/** Reads the consent page at `authorizationUrl` and presses a button: the callback URL. */
export async function consent(
  authorizationUrl: string,
  press: 'Allow' | 'Deny' = 'Allow',
  personId?: string,
): Promise<URL> {
  return submitConsent(await readConsentForm(authorizationUrl), press, personId);
}
