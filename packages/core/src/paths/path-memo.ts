/**
 * Bounded memos of path normalisation and classification. One call's paths are read by several
 * layers (the path layer, the pre-filter's detectors, the policy's path classes), each normalising
 * and classifying the same few strings; both are pure functions of the text and the `PathEnv`, so
 * the results are kept per environment (its content, not its identity) and per text. Hostile input
 * cannot grow them: texts past `MAX_MEMO_KEY` characters are not kept, each environment holds a
 * fixed number of entries, and a fixed number of environments is kept.
 */

import { BoundedCache, GenerationCache } from '../layers/bounded-cache.js';

/** Longest text whose result is kept; longer ones are computed on every call. */
export const MAX_MEMO_KEY = 512;
/** Entries per generation of each memo (see `GenerationCache`). */
const GENERATION = 128;
/** Distinct environments kept (the one without an environment is kept apart). */
const ENVS = 4;

/** The environment a path is read in (`PathEnv`'s shape). */
interface Env {
  readonly home: string;
  readonly cwd: string;
  readonly user?: string;
}

interface EnvKey {
  readonly home: string;
  readonly cwd: string;
  readonly user: string | undefined;
  readonly key: string;
}

/**
 * One memo per environment: `forEnv(env)` is the one for `env`'s home, cwd and user (an object
 * changed in place gets the memo of its new content).
 */
export class PathMemo<V> {
  readonly #none = new GenerationCache<string, V>(GENERATION);
  readonly #byKey = new BoundedCache<string, GenerationCache<string, V>>(ENVS);
  readonly #keys = new WeakMap<Env, EnvKey>();

  /** The memo of `env` (or of no environment). */
  forEnv(env: Env | undefined): GenerationCache<string, V> {
    if (env === undefined) return this.#none;
    let k = this.#keys.get(env);
    if (k === undefined || k.home !== env.home || k.cwd !== env.cwd || k.user !== env.user) {
      const key = JSON.stringify([env.home, env.cwd, env.user ?? null]);
      k = { home: env.home, cwd: env.cwd, user: env.user, key };
      this.#keys.set(env, k);
    }
    let m = this.#byKey.get(k.key);
    if (m === undefined) {
      m = new GenerationCache<string, V>(GENERATION);
      this.#byKey.set(k.key, m);
    }
    return m;
  }
}
