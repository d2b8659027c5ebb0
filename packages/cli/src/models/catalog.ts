/** One recommended GGUF: what `governed-mcp model pull NAME` knows about it. */
export interface CatalogEntry {
  /** The name the cache and `--model NAME` use. */
  readonly name: string;
  /** The file name under which the model is published. */
  readonly file: string;
  /** Size in bytes, when known; the sha256 is checked either way. */
  readonly size?: number;
  /** Lower-case hex sha256 of the whole file. */
  readonly sha256: string;
  readonly licence: { readonly name: string; readonly url: string };
  /** What the model is good for here, in a line. */
  readonly note: string;
  /**
   * Download URLs that were checked against the name and checksum. Empty when none could be: then
   * `model pull URL --name NAME` (the checksum comes from this entry) or `model add PATH` gets it.
   */
  readonly urls: readonly string[];
  /**
   * The probe strictness measured for this model on the development data (eval/README.md), for every
   * tier: what the demo runs it with, and what `probe.alpha` / `probe.threshold` should say in a proxy
   * configuration that uses it. Absent: the tiers' own profiles.
   */
  readonly strictness?: { readonly alpha: number; readonly threshold: number };
}

/**
 * The recommended GGUFs. Only entries whose file name and sha256 are known are listed; larger
 * production models are left out until their name, size and checksum can be verified.
 */
export const MODEL_CATALOG: readonly CatalogEntry[] = [
  {
    name: 'gemma-3-270m-q4_k_m',
    file: 'gemma-3-270m-q4_k_m.gguf',
    size: 253_113_024,
    sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
    licence: { name: 'Gemma Terms of Use', url: 'https://ai.google.dev/gemma/terms' },
    note: 'Gemma 3 270M (base, not instruction-tuned), Q4_K_M: the small probe model of the measurements (eval/fetch-model.mjs fetches it); too small to add catches to the deterministic layers',
    urls: [],
    // Chosen on the development calls and sessions: the lowest threshold at which the probe adds at most
    // one false positive to the deterministic layers (it adds no true positive at any threshold).
    strictness: { alpha: 1, threshold: 0.7 },
  },
];

/** The catalogue entry with this name, if any. */
export function findCatalogEntry(name: string): CatalogEntry | undefined {
  return MODEL_CATALOG.find((e) => e.name === name);
}

/** The catalogue entry whose file has this sha256 (lower-case hex), if any. */
export function findCatalogEntryBySha256(sha256: string): CatalogEntry | undefined {
  return MODEL_CATALOG.find((e) => e.sha256 === sha256);
}
