/**
 * Who an emulator knows and which keys it accepts. Passed in by whoever starts it (the demo's
 * composition root, a test): the emulators import nothing of the product's data, and the same
 * id for a person is written once, by the caller.
 */

/** A CRM user: `id` is the id this CRM uses to assign an owner (HubSpot owner id, Salesforce User Id…). */
export interface EmulatorPerson {
  id: string;
  email: string;
  name: string;
  /** A CRM admin (Zoho role/profile, Pipedrive is_admin, Attio access level). */
  admin?: boolean;
}

export interface EmulatorAccounts {
  /** CRM users besides the emulator's own fillers, listed after them (so finding one pages). */
  people: EmulatorPerson[];
  /** Access tokens / API keys the emulator accepts. */
  tokens: string[];
  /** Refresh tokens its token endpoint accepts (Salesforce, Zoho). */
  refreshTokens: string[];
  /** Token (access or refresh) → the id of the person in `people` it acts as; default the first person. */
  tokenOwners: Record<string, string>;
  /**
   * OAuth apps the emulator's authorization server knows (emulators/oauth-server.ts). Absent or
   * empty `redirectUris`: any `http://127.0.0.1…` or `http://localhost…` redirect URI is accepted.
   */
  oauthClients?: EmulatorOAuthClient[];
}

/** An OAuth app registered with an emulator's authorization server. */
export interface EmulatorOAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUris?: string[];
}

/** The person a token acts as: its owner in `tokenOwners`, else the first person, else `fallback`. */
export function actingPersonId(
  accounts: Partial<EmulatorAccounts>,
  token: string | undefined,
  fallback: string,
): string {
  return (
    (token === undefined ? undefined : accounts.tokenOwners?.[token]) ??
    accounts.people?.[0]?.id ??
    fallback
  );
}
