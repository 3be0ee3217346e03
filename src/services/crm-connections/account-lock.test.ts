import { describe, expect, it } from 'vitest';
import { inProcessAccountLock } from '#src/services/crm-connections/account-lock.ts';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

/** Records when each piece of work starts and ends, to see whether two ever overlapped. */
function recorder() {
  const events: string[] = [];
  const work = (name: string) => async () => {
    events.push(`${name} start`);
    await tick();
    await tick();
    events.push(`${name} end`);
    return name;
  };
  return { events, work };
}

describe('inProcessAccountLock', () => {
  it('one CRM account: owner-property writes take turns, in the order they asked', async () => {
    const { events, work } = recorder();
    const results = await Promise.all([
      inProcessAccountLock('salesforce:abc', work('a')),
      inProcessAccountLock('salesforce:abc', work('b')),
      inProcessAccountLock('salesforce:abc', work('c')),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('different accounts run at the same time', async () => {
    const { events, work } = recorder();
    await Promise.all([
      inProcessAccountLock('salesforce:abc', work('a')),
      inProcessAccountLock('hubspot:abc', work('b')),
    ]);
    expect(events.slice(0, 2).sort()).toEqual(['a start', 'b start']);
  });

  it('a failed write hands the turn on and keeps its error', async () => {
    const { events, work } = recorder();
    const failing = inProcessAccountLock('zoho:abc', async () => {
      await tick();
      throw new Error('CRM refused');
    });
    const next = inProcessAccountLock('zoho:abc', work('next'));
    await expect(failing).rejects.toThrow('CRM refused');
    await expect(next).resolves.toBe('next');
    expect(events).toEqual(['next start', 'next end']);
  });
});
