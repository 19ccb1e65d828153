import { MemoryStore } from './memory-store.js';

const token = (value: string) => ({ value, scheme: 'Bearer', issuedAt: 0, expiresAt: 1 });

describe('MemoryStore', () => {
  it('drops the least recently used key beyond its bound', async () => {
    const store = new MemoryStore({ maxEntries: 2 });
    await store.set('a', token('1'));
    await store.set('b', token('2'));
    await store.get('a');
    await store.set('c', token('3'));
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.value).toBe('1');
    expect(store.size).toBe(2);
  });

  it('deletes only while the key still holds the given value (compare-and-invalidate)', async () => {
    const store = new MemoryStore();
    await store.set('k', token('new'));
    expect(await store.deleteIfEqual('k', 'old')).toBe(false);
    expect(await store.deleteIfEqual('k', 'new')).toBe(true);
    expect(await store.get('k')).toBeUndefined();
  });
});
