import { factKey } from '../layer.js';
import type { PathClass } from './classify.js';

/** One path the path layer found in a call, in the forms later layers decide on. */
export interface PathEntry {
  /** The text as the agent wrote it. */
  readonly raw: string;
  /** `normalizePath`'s form. */
  readonly normalized: string;
  /** Where the server would land, symlinks followed (absent when not resolved on disk). */
  readonly resolved?: string;
  /** Classes of the normalised and the resolved form together. */
  readonly classes: readonly PathClass[];
  /** A command only writes or changes this file: it reads nothing from it. */
  readonly writtenOnly?: true;
}

/** What the path layer records for later layers (pre-filter, policy). */
export interface PathFact {
  readonly entries: readonly PathEntry[];
}

/** The path layer's fact: the paths of the call, normalised and resolved. */
export const PATH_FACT = factKey<PathFact>('paths');

/** The distinct normalised and resolved forms of a fact that differ from what the agent wrote. */
export function pathFactForms(fact: PathFact | undefined): string[] {
  if (fact === undefined) return [];
  const out = new Set<string>();
  for (const e of fact.entries) {
    // A file a command only writes, of no class a write matters for, has nothing left to judge.
    if (e.writtenOnly === true && e.classes.length === 0) continue;
    if (e.normalized !== e.raw) out.add(e.normalized);
    if (e.resolved !== undefined && e.resolved !== e.raw) out.add(e.resolved);
  }
  return [...out];
}
