/** The password rules of setup completion, as the server checks them (OWASP ASVS V6). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export function PasswordRules({ id }: { id: string }) {
  return (
    <ul id={id} className="field-hint">
      <li>
        At least {PASSWORD_MIN_LENGTH} characters (at most {PASSWORD_MAX_LENGTH}). Spaces are fine:
        a few unrelated words make a strong password.
      </li>
      <li>No need for symbols, digits or capitals.</li>
      <li>
        Not your email address, not your organization’s name, and not a common password such as
        “Password1234”.
      </li>
    </ul>
  );
}
