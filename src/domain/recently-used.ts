/**
 * A Map used as a least-recently-used store: `touch` moves an entry to the newest end (a Map
 * iterates in insertion order), `trimOldest` drops the oldest entries beyond `capacity`.
 */
export function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

export function trimOldest<K, V>(map: Map<K, V>, capacity: number): void {
  for (const key of map.keys()) {
    if (map.size <= capacity) return;
    map.delete(key);
  }
}
