import { AppError } from '#src/domain/errors.ts';

/**
 * The password rules of setup completion (OWASP ASVS V6 / NIST SP 800-63B): length only, no
 * composition rules; at least 12 and at most 128 characters (Unicode code points, spaces
 * allowed); refused when it contains the user's email name or the organization's name, or is a
 * well-known breached password (also with digits or symbols added around it). The list is small
 * and offline on purpose: no breach-corpus lookup leaves the machine.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** Words that breached-password lists are made of; a password that is one of them plus digits or symbols is refused. */
const BREACHED_WORDS = [
  'password',
  'passw0rd',
  'p@ssw0rd',
  'qwerty',
  'qwertyuiop',
  'asdfghjkl',
  'azerty',
  'letmein',
  'welcome',
  'iloveyou',
  'admin',
  'administrator',
  'changeme',
  'trustno1',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'superman',
  'starwars',
  'whatever',
  'abc123',
  'secret',
  'master',
  'login',
  'ergo',
] as const;

export type PasswordProblem =
  'too_short' | 'too_long' | 'contains_email' | 'contains_organization' | 'breached';

const MESSAGES: Record<PasswordProblem, string> = {
  too_short: `Use at least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a good password.`,
  too_long: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  contains_email: "Don't put your email address, or its part before the @, in your password.",
  contains_organization: "Don't put your organization's name in your password.",
  breached:
    'That password is too common: it appears in lists of breached passwords. Choose another one.',
};

/** The first rule the password breaks, or undefined when it is acceptable. */
export function passwordProblem(
  password: string,
  context: { email: string; organizationName: string },
): PasswordProblem | undefined {
  const length = codePoints(password).length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = password.toLowerCase();
  const squashed = lower.replace(/[\s._-]+/g, '');
  const localPart = context.email.split('@')[0]?.toLowerCase() ?? '';
  if (localPart.length >= 3 && (lower.includes(localPart) || squashed.includes(localPart))) {
    return 'contains_email';
  }
  const organization = context.organizationName.toLowerCase().replace(/[\s._-]+/g, '');
  if (organization.length >= 3 && squashed.includes(organization)) return 'contains_organization';
  if (isBreachedPattern(lower)) return 'breached';
  return undefined;
}

/** Throws `invalid_request` with the rule's sentence when the password is not acceptable. */
export function assertAcceptablePassword(
  password: string,
  context: { email: string; organizationName: string },
): void {
  const problem = passwordProblem(password, context);
  if (problem) throw new AppError('invalid_request', MESSAGES[problem], { rule: problem });
}

function isBreachedPattern(lower: string): boolean {
  const chars = codePoints(lower);
  // One character repeated ("aaaaaaaaaaaa"), or a run of the keyboard or digits ("123456789012").
  if (new Set(chars).size <= 2) return true;
  if (/^[\d\W_]+$/.test(lower) && isMostlySequential(lower)) return true;
  // A breached word with only digits or symbols around it ("Password1234!", "!qwerty123456").
  for (const word of BREACHED_WORDS) {
    const at = lower.indexOf(word);
    if (at === -1) continue;
    const rest = lower.slice(0, at) + lower.slice(at + word.length);
    if (/^[\d\W_]*$/.test(rest) || BREACHED_WORDS.some((w) => rest.replace(w, '') === '')) {
      return true;
    }
  }
  return false;
}

/** Digits where most steps go up or down by one ("123456789012", "987654321098"). */
function isMostlySequential(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length < PASSWORD_MIN_LENGTH - 2) return false;
  let steps = 0;
  for (let i = 1; i < digits.length; i += 1) {
    const delta = (Number(digits[i]) - Number(digits[i - 1]) + 10) % 10;
    if (delta === 1 || delta === 9) steps += 1;
  }
  return steps >= (digits.length - 1) * 0.7;
}

/** The string's Unicode code points (a length rule counts characters, not UTF-16 units). */
function codePoints(value: string): string[] {
  const points: string[] = [];
  for (const point of value) points.push(point);
  return points;
}
