import { CAPABILITY_CLASSES, type CapabilityClass } from '../session-facts.js';

/**
 * The tier a tool requires, from its capability classes, when no rule names one (`call.capabilities`,
 * else `classifyTool(call.tool)`). The requirement is the higher of this and `ANNOTATION_RANKS`, so a
 * class only ever raises it: a server cannot lower it by annotating a payment tool read-only. Classes
 * not listed add nothing (their care comes from the policy and the session facts, not from the tier).
 *
 * | class           | rank | default table |
 * |-----------------|------|---------------|
 * | moves-money     | 2    | trusted       |
 * | changes-access  | 2    | trusted       |
 * | deletes         | 2    | trusted       |
 *
 * The local user of a stdio proxy and eval's default principal are `trusted`, so these tools stay
 * usable there; an unidentified caller (`standard`) neither sees nor calls them.
 */
export const CLASS_RANKS: Readonly<Partial<Record<CapabilityClass, number>>> = Object.freeze({
  'moves-money': 2,
  'changes-access': 2,
  deletes: 2,
});

/** A set of classes as a bit mask over `CAPABILITY_CLASSES`. */
export function classMask(classes: readonly CapabilityClass[]): number {
  let mask = 0;
  for (const c of classes) {
    const bit = CAPABILITY_CLASSES.indexOf(c);
    if (bit >= 0) mask |= 1 << bit;
  }
  return mask;
}

/** The rank the classes in `mask` require (`CLASS_RANKS`), 0 when none requires one. */
export function classRank(mask: number): number {
  let rank = 0;
  CAPABILITY_CLASSES.forEach((c, bit) => {
    if ((mask & (1 << bit)) !== 0) rank = Math.max(rank, CLASS_RANKS[c] ?? 0);
  });
  return rank;
}
