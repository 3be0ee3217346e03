import type { MemberPage } from '#src/domain/contracts/members.contract.ts';
import { touch, trimOldest } from '#src/domain/recently-used.ts';

/**
 * Member-table pages kept in this process under the organization's member list version
 * (ADR 0015). The version moves forward at the commit of every change to what a page shows, so
 * a page kept under version N is served only while the organization is still at N, as read by
 * the request's own session lookup: no statement of its own, and never a stale page, in any
 * number of processes. The version must be read before the page is computed (a page computed
 * from newer data than its version is then merely recomputed once).
 *
 * A page is kept per actor (their role decides each row's actions) and per query; the least
 * recently used pages go first beyond `capacity`.
 */
export class MemberPageCache {
  private readonly pages = new Map<string, { version: bigint; page: MemberPage }>();

  constructor(private readonly capacity = 1000) {}

  /** The page kept for `key` if it was computed at `version`. */
  get(key: string, version: string): MemberPage | undefined {
    const entry = this.pages.get(key);
    if (!entry) return undefined;
    if (entry.version !== BigInt(version)) {
      if (entry.version < BigInt(version)) this.pages.delete(key);
      return undefined;
    }
    touch(this.pages, key, entry);
    return entry.page;
  }

  /** Keeps `page`, computed after `version` was read, unless a newer one is kept already. */
  set(key: string, version: string, page: MemberPage): void {
    const at = BigInt(version);
    const kept = this.pages.get(key);
    if (kept && kept.version > at) return;
    touch(this.pages, key, { version: at, page: freezePage(page) });
    trimOldest(this.pages, this.capacity);
  }

  get size(): number {
    return this.pages.size;
  }
}

/**
 * A kept page is shared by every request served it: frozen, so nothing can change it (and the
 * response serializer may keep its JSON, src/http/app.ts).
 */
function freezePage(page: MemberPage): MemberPage {
  for (const item of page.items) Object.freeze(item);
  Object.freeze(page.items);
  return Object.freeze(page);
}

/**
 * A page through the cache when there is one and the request read its version; otherwise
 * computed. `key` must name everything the page depends on besides the database.
 */
export async function cachedMemberPage(
  cache: MemberPageCache | undefined,
  version: string | undefined,
  key: readonly unknown[],
  compute: () => Promise<MemberPage>,
): Promise<MemberPage> {
  if (!cache || version === undefined) return compute();
  const name = JSON.stringify(key);
  const kept = cache.get(name, version);
  if (kept) return kept;
  const page = await compute();
  cache.set(name, version, page);
  return page;
}
