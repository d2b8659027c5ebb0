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

/**
 * A size-capped memo for hot look-ups, cheaper on a hit than `BoundedCache` (one Map read, no
 * reordering). Entries live in two generations of at most `half` entries each: new entries go to the
 * young one; when it is full it becomes the old one and the previous old one is dropped; a hit in the
 * old generation moves the entry back to the young one. At most `2 * half` entries are held.
 */
export class GenerationCache<K, V> {
  readonly #half: number;
  #young = new Map<K, V>();
  #old = new Map<K, V>();

  /** `half` entries per generation. */
  constructor(half: number) {
    if (!(Number.isInteger(half) && half > 0)) throw new RangeError('cache size must be a positive integer');
    this.#half = half;
  }

  /** The number of entries held (both generations). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** The value for `key`, or undefined. */
  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.set(key, old);
    }
    return old;
  }

  /** Stores `value` in the young generation, retiring it first when it is full. */
  set(key: K, value: V): void {
    if (this.#young.size >= this.#half && !this.#young.has(key)) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
