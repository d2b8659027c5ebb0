import type { Span } from './ast.js';
import type { CallView } from './call-view.js';
import type { PolicyErrorCode } from './diagnostics.js';

/** A compiled condition: true when the call matches. */
export type CallTest = (view: CallView) => boolean;

/** What compiling a condition needs: the tier order and a way to report problems. */
export interface PredicateContext {
  /** Tier names, least trusted first. */
  readonly tiers: readonly string[];
  report(span: Span, code: PolicyErrorCode, message: string): void;
  /** `false`: regexes run without their literal pre-check (see PolicyReporter.prefilter). */
  readonly prefilter?: false;
}
