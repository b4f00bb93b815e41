/**
 * A bounded cache that keeps what was used recently, with a hit costing one
 * Map lookup (a Map-ordered LRU re-inserts the entry on every hit, and the
 * delete-then-set churn costs more than the regex match it saves).
 *
 * Two generations of up to `generation` entries each: entries are added to
 * the young one; a hit in the old one moves the entry to the young one; when
 * the young one is full it becomes the old one and the previous old one is
 * dropped. So an entry used once survives at least `generation` other
 * distinct keys used after it, and at most 2 × `generation` entries are held.
 */
export class RecentCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(private readonly generation: number) {}

  get(key: K): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
