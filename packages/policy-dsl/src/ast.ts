/**
 * The typed syntax tree of a policy file. Every node carries the span of its source so that later
 * passes (type checks, unreachable-rule analysis) can point at file:line:column.
 */

import type { CapabilityClass } from '@governed-mcp/core';

/** Where a node starts in its file: 1-based line and column, and how many characters it covers. */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly length: number;
}

/** What the file-level default does to a call. */
export type Effect = 'allow' | 'deny';

/** What a rule does to a call: `ask` lets it through only if a person approves it. */
export type RuleEffect = Effect | 'ask';

/**
 * A fact the gate gathered about the call's session and tool, rather than a part of the call itself:
 * the tool's capability classes, what earlier results showed, where argument values came from.
 */
export type FactName =
  | 'tool.class'
  | 'session.flagged'
  | 'session.step'
  | 'session.called'
  | 'session.requested'
  | 'origin.instructed'
  | 'origin.flagged'
  | 'origin.sensitive'
  | 'origin.kind'
  | 'origin.tool';

/** The part of a call a predicate reads. */
export type Subject =
  | { readonly kind: 'tool' | 'server' | 'principal' | 'tier' | 'method' }
  | { readonly kind: 'arg'; readonly path: readonly string[] }
  | { readonly kind: 'any-string' }
  | { readonly kind: 'fact'; readonly name: FactName };

/** A comparison operator. `!=` and `not-in` are the negations of `==` and `in`. */
export type Operator =
  | '=='
  | '!='
  | 'in'
  | 'not-in'
  | 'glob'
  | 'matches'
  | 'contains'
  | 'startswith'
  | 'endswith'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'exists'
  | 'missing'
  /** `arg.path is code-loading`: the path's class (core's `classifyPath`), one name or a [list]. */
  | 'is';

/** A literal on the right of an operator. `ident` is a bare word (a tier name). */
export type Value =
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'ident'; readonly name: string; readonly span: Span }
  | { readonly kind: 'regex'; readonly source: string; readonly flags: string; readonly span: Span }
  | { readonly kind: 'list'; readonly items: readonly Value[]; readonly span: Span }
  | { readonly kind: 'none'; readonly span: Span };

/** One test on one subject, e.g. `arg.path glob "/etc/**"`. */
export interface Predicate {
  readonly kind: 'predicate';
  readonly subject: Subject;
  readonly op: Operator;
  readonly value: Value;
  readonly span: Span;
}

/** A boolean combination of predicates. */
export type Condition =
  | Predicate
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[]; readonly span: Span }
  | { readonly kind: 'not'; readonly item: Condition; readonly span: Span };

/** A setting line inside a `tier` or `tool` block. */
export type Setting =
  | {
      readonly kind: 'prefilter';
      readonly block: 'all' | 'none' | readonly string[];
      readonly span: Span;
    }
  | {
      readonly kind: 'probe';
      readonly enabled?: boolean;
      readonly alpha?: number;
      readonly threshold?: number;
      readonly span: Span;
    }
  | {
      readonly kind: 'limit';
      readonly scope: 'per-tool' | 'per-principal';
      readonly capacity: number;
      readonly refillPerSec: number;
      readonly span: Span;
    }
  | { readonly kind: 'concurrent'; readonly max: number; readonly span: Span }
  | { readonly kind: 'require-tier'; readonly tier: string; readonly span: Span };

/** `default allow` or `default deny`: what decides when no rule matches. */
export interface DefaultStatement {
  readonly kind: 'default';
  readonly effect: Effect;
  readonly span: Span;
}

/** `include "other.policy"`: another file's statements, in place. */
export interface IncludeStatement {
  readonly kind: 'include';
  readonly path: string;
  readonly span: Span;
}

/** `principle "..."`: a sentence the semantic gate reasons with. */
export interface PrincipleStatement {
  readonly kind: 'principle';
  readonly text: string;
  readonly span: Span;
}

/** `default principal "id" tier NAME`: who an unauthenticated caller is. */
export interface DefaultPrincipalStatement {
  readonly kind: 'default-principal';
  readonly id: string;
  readonly tier: string;
  readonly span: Span;
}

/** `tier NAME … end`: one trust tier's profile; tiers are declared least trusted first. */
export interface TierBlock {
  readonly kind: 'tier';
  readonly name: string;
  readonly settings: readonly Setting[];
  readonly span: Span;
}

/** `tool "glob" [server "name"] … end`: settings for the tools whose name matches. */
export interface ToolBlock {
  readonly kind: 'tool';
  /** The tool-name glob; `*` for a `tool class …` block. */
  readonly match: string;
  /** `tool class …`: the block applies only to tools with at least one of these classes. */
  readonly classes?: readonly CapabilityClass[];
  readonly server?: string;
  readonly settings: readonly Setting[];
  readonly span: Span;
}

/** `allow|deny|ask NAME … end`: a named rule with a reason and an optional condition. */
export interface RuleStatement {
  readonly kind: 'rule';
  readonly effect: RuleEffect;
  readonly name: string;
  readonly reason: string;
  /** What a person is asked (ask rules only); the reason when absent. */
  readonly question?: string;
  /** Absent when the rule has no `when` line: it matches every call. */
  readonly when?: Condition;
  readonly span: Span;
}

/** Any top-level statement. */
export type Statement =
  | DefaultStatement
  | IncludeStatement
  | PrincipleStatement
  | DefaultPrincipalStatement
  | TierBlock
  | ToolBlock
  | RuleStatement;

/** One parsed file: its name as given, its text, and its statements in order. */
export interface PolicyDocument {
  readonly file: string;
  readonly source: string;
  readonly statements: readonly Statement[];
}
