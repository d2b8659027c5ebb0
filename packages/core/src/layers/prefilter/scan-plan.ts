import type { Detector, TextRole } from './detector.js';

// Below this length only the detectors whose matches can be that short run ('0' and '127.1' are
// hosts, 'file:' a scheme, a NUL a traversal); no command, key, path or phrase fits.
/** Texts shorter than this are read only by `SHORT_TEXT_DETECTORS`. */
export const SHORT_TEXT = 6;
const SHORT_TEXT_DETECTORS = new Set(['ssrf', 'dangerous-scheme', 'path-traversal']);

/** The detectors that read one role, and whether a detector of another role comes after the last. */
export interface RoleList {
  readonly detectors: readonly Detector[];
  /** The unfiltered loop would still check the findings bound after the last detector here. */
  readonly trailing: boolean;
}

type RolePlan = Readonly<Record<TextRole, RoleList>>;

const plans = new WeakMap<readonly Detector[], { full: RolePlan; short: RolePlan }>();

function roleList(eligible: readonly Detector[], role: TextRole): RoleList {
  const detectors = eligible.filter((d) => d.roles.includes(role));
  const last =
    detectors.length === 0 ? -1 : eligible.lastIndexOf(detectors[detectors.length - 1] as Detector);
  return { detectors, trailing: eligible.length - 1 > last };
}

function rolePlan(eligible: readonly Detector[]): RolePlan {
  return {
    command: roleList(eligible, 'command'),
    value: roleList(eligible, 'value'),
    document: roleList(eligible, 'document'),
    decoded: roleList(eligible, 'decoded'),
  };
}

/**
 * The detectors that read each role, for full and for short text, in the given order: computed once
 * per detector list instead of filtering every detector for every text.
 */
export function planOf(detectors: readonly Detector[]): { full: RolePlan; short: RolePlan } {
  let plan = plans.get(detectors);
  if (plan === undefined) {
    plan = {
      full: rolePlan(detectors),
      short: rolePlan(detectors.filter((d) => SHORT_TEXT_DETECTORS.has(d.id))),
    };
    plans.set(detectors, plan);
  }
  return plan;
}
