/**
 * A Map that forgets its oldest entries beyond `capacity`. The in-memory
 * rate-limit store keeps one entry per client key and never deletes expired
 * ones, so without a bound a flood of distinct keys (random account names)
 * would grow memory without end.
 */
export class BoundedMap<Key, Value> extends Map<Key, Value> {
  readonly capacity: number;

  constructor(capacity: number) {
    super();
    this.capacity = capacity;
  }

  override set(key: Key, value: Value): this {
    if (!this.has(key) && this.size >= this.capacity) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
