import { describe, expect, it } from 'vitest';
import type { MemberPage } from '#src/domain/contracts/members.contract.ts';
import { cachedMemberPage, MemberPageCache } from '#src/services/members/member-page-cache.ts';

const pageNamed = (cursor: string): MemberPage => ({ items: [], nextCursor: cursor });

describe('MemberPageCache', () => {
  it('serves a page only at the version it was computed at', () => {
    const cache = new MemberPageCache();
    cache.set('k', '7', pageNamed('seven'));
    expect(cache.get('k', '7')?.nextCursor).toBe('seven');
    expect(cache.get('k', '8')).toBeUndefined();
    // A newer version drops the old page: it can never be current again.
    expect(cache.get('k', '7')).toBeUndefined();
  });

  it('a page computed at an older version never replaces a newer one (a slow reader finishing late)', () => {
    const cache = new MemberPageCache();
    cache.set('k', '9', pageNamed('nine'));
    cache.set('k', '8', pageNamed('eight'));
    expect(cache.get('k', '9')?.nextCursor).toBe('nine');
  });

  it('compares versions as numbers, past 2^53', () => {
    const cache = new MemberPageCache();
    cache.set('k', '9007199254740993', pageNamed('big'));
    expect(cache.get('k', '9007199254740992')).toBeUndefined();
    expect(cache.get('k', '9007199254740993')?.nextCursor).toBe('big');
  });

  it('keeps at most `capacity` pages, dropping the least recently used', () => {
    const cache = new MemberPageCache(2);
    cache.set('a', '1', pageNamed('a'));
    cache.set('b', '1', pageNamed('b'));
    cache.get('a', '1');
    cache.set('c', '1', pageNamed('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('b', '1')).toBeUndefined();
    expect(cache.get('a', '1')?.nextCursor).toBe('a');
    expect(cache.get('c', '1')?.nextCursor).toBe('c');
  });

  it('cachedMemberPage computes once per key and version, and always without a version', async () => {
    const cache = new MemberPageCache();
    let computed = 0;
    const compute = () => {
      computed += 1;
      return Promise.resolve(pageNamed(String(computed)));
    };
    await cachedMemberPage(cache, '1', ['team', 'x'], compute);
    await cachedMemberPage(cache, '1', ['team', 'x'], compute);
    expect(computed).toBe(1);
    await cachedMemberPage(cache, '1', ['team', 'y'], compute);
    await cachedMemberPage(cache, '2', ['team', 'x'], compute);
    expect(computed).toBe(3);
    await cachedMemberPage(cache, undefined, ['team', 'x'], compute);
    await cachedMemberPage(undefined, '2', ['team', 'x'], compute);
    expect(computed).toBe(5);
  });

  it('an error is not kept', async () => {
    const cache = new MemberPageCache();
    await expect(
      cachedMemberPage(cache, '1', ['k'], () => Promise.reject(new Error('team not found'))),
    ).rejects.toThrow('team not found');
    expect(cache.size).toBe(0);
  });
});
