/**
 * A Map with a size cap for caches that must not grow without bound on hostile input (new tool
 * definitions, new principals). Eviction is least-recently-used: a hit moves the entry to the back.
 */
export class BoundedCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();
  readonly #onEvict: ((key: K, value: V) => void) | undefined;

  /** `max` entries at most; `onEvict` sees each entry pushed out by the cap. */
  constructor(max: number, onEvict?: (key: K, value: V) => void) {
    if (!(Number.isInteger(max) && max > 0)) throw new RangeError('cache size must be a positive integer');
    this.#max = max;
    this.#onEvict = onEvict;
  }

  /** The number of entries held. */
  get size(): number {
    return this.#map.size;
  }

  /** The value for `key`, marking it recently used. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined && this.#map.size > 1) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: K, value: V): void {
    if (this.#map.has(key)) this.#map.delete(key);
    else if (this.#map.size >= this.#max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) {
        const evicted = this.#map.get(oldest.value) as V;
        this.#map.delete(oldest.value);
        this.#onEvict?.(oldest.value, evicted);
      }
    }
    this.#map.set(key, value);
  }
}
