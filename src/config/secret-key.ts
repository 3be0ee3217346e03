import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '#src/config/config.ts';
import { createKeyring, parseBase64Key, type Keyring } from '#src/domain/secrets/secret-box.ts';

export const GENERATED_KEY_FILE = 'secret.key';

/**
 * The keyring for CRM secrets. ERGO_SECRET_KEY wins; without it (development only: production
 * refuses to start, see config.ts) a key is generated once into the data dir, with a warning.
 */
export async function loadKeyring(config: Config, logger: Logger): Promise<Keyring> {
  const previous = config.secrets.previousKeys.map(parseBase64Key);
  if (config.secrets.currentKey)
    return createKeyring(parseBase64Key(config.secrets.currentKey), previous);

  const file = path.join(config.dataDir, GENERATED_KEY_FILE);
  let encoded: string;
  try {
    encoded = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(config.dataDir, { recursive: true });
    encoded = randomBytes(32).toString('base64');
    await writeFile(file, `${encoded}\n`, { mode: 0o600, flag: 'wx' });
    logger.warn(
      { file },
      'ERGO_SECRET_KEY is not set: generated a key for encrypting CRM keys into the data dir. Set ERGO_SECRET_KEY in production.',
    );
  }
  return createKeyring(parseBase64Key(encoded), previous);
}
