import { hash, verify, type Options } from '@node-rs/argon2';

/** argon2id with OWASP's baseline parameters (19 MiB, 2 passes, 1 lane). */
const ARGON2_OPTIONS: Options = {
  // Algorithm.Argon2id: the package's const enum cannot be imported under verbatimModuleSyntax.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- see above
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
