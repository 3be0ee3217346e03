import type { Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

/** Placeholder: filled by the provisioning work (issue 13). */
export class InvitationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Touches the database so the class is not empty (replaced by real methods). */
  async ping(): Promise<void> {
    await this.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
  }
}
