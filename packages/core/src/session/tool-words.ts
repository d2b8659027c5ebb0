/**
 * Words of tool definitions, bounded: a tool name split into lowercase words, a description's words,
 * and the property names and descriptions of an input schema. Shared by `classifyTool`.
 */

/** Longest text read from a description or title. */
export const MAX_DESCRIPTION_CHARS = 1_000;
/** Most schema properties visited, and the deepest nesting followed. */
const MAX_PROPERTIES = 128;
const MAX_SCHEMA_DEPTH = 4;

// Linear: each alternative consumes at least one character and none overlaps another's start.
const CAMEL = /[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+/g;
const CHUNK = /[A-Za-z0-9]+/g;

/** A crude singular: `messages` → `message`, `entries` → `entry`, `addresses` → `address`; never `access`. */
export function singular(word: string): string {
  if (word.length <= 3 || !word.endsWith('s')) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses') || word.endsWith('xes') || word.endsWith('ches') || word.endsWith('shes')) {
    return word.slice(0, -2);
  }
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  return word.slice(0, -1);
}

/**
 * Splits a name or text into lowercase singular words: snake_case, kebab-case, camelCase, PascalCase and
 * letter/digit boundaries, keeping each alphanumeric chunk whole too (`2fa`, `s3`).
 */
export function wordsOf(text: string, limit = MAX_DESCRIPTION_CHARS): string[] {
  const bounded = text.length > limit ? text.slice(0, limit) : text;
  const out: string[] = [];
  for (const chunk of bounded.match(CHUNK) ?? []) {
    const parts = chunk.match(CAMEL) ?? [];
    if (parts.length > 1) {
      const whole = chunk.toLowerCase();
      // Keep a letter-digit chunk whole (`2fa`), not a joined camelCase name (`sendmoney`).
      if (/^[a-z]*[0-9]+[a-z]*$/i.test(chunk)) out.push(whole);
    }
    for (const part of parts) out.push(singular(part.toLowerCase()));
  }
  return out;
}

/** The first sentence of a description, bounded: what a tool does, before notes and examples. */
export function firstSentence(text: string): string {
  const bounded = text.length > MAX_DESCRIPTION_CHARS ? text.slice(0, MAX_DESCRIPTION_CHARS) : text;
  const end = bounded.search(/[.!?](?:\s|$)|\n/);
  return end < 0 ? bounded : bounded.slice(0, end);
}

/** Property names and short descriptions of an input schema, walked breadth-first within fixed bounds. */
export interface SchemaWords {
  /** Each property name, split into words (one array per property). */
  readonly properties: readonly (readonly string[])[];
  /** The raw property names, lowercased. */
  readonly names: ReadonlySet<string>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects the property names of a JSON Schema (nested `properties`, `items`), bounded in count and depth. */
export function schemaWords(schema: unknown): SchemaWords {
  const keys = schemaKeys(schema);
  const properties: string[][] = [];
  const names = new Set<string>();
  for (const key of keys) {
    names.add(key.toLowerCase().slice(0, 64));
    properties.push(wordsOf(key, 64));
  }
  return { properties, names };
}

/**
 * The property names of a JSON Schema as written, in the order `schemaWords` visits them
 * (breadth-first through nested `properties` and `items`), bounded in count and depth.
 */
export function schemaKeys(schema: unknown): string[] {
  const keys: string[] = [];
  const queue: { node: unknown; depth: number }[] = [{ node: schema, depth: 0 }];
  for (let i = 0; i < queue.length && keys.length < MAX_PROPERTIES; i++) {
    const { node, depth } = queue[i] as { node: unknown; depth: number };
    if (!isRecord(node) || depth > MAX_SCHEMA_DEPTH) continue;
    const props = node.properties;
    if (isRecord(props)) {
      let seen = 0;
      for (const key in props) {
        if (!Object.hasOwn(props, key)) continue;
        if (++seen > MAX_PROPERTIES || keys.length >= MAX_PROPERTIES) break;
        keys.push(key);
        const child = props[key];
        if (queue.length < MAX_PROPERTIES * 2) queue.push({ node: child, depth: depth + 1 });
      }
    }
    if (isRecord(node.items) && queue.length < MAX_PROPERTIES * 2) {
      queue.push({ node: node.items, depth: depth + 1 });
    }
  }
  return keys;
}

/** What was read of a tool definition to derive `value`: reused only while all of it is unchanged. */
export interface DefinitionReading<T> {
  readonly name: unknown;
  readonly title: unknown;
  readonly description: unknown;
  readonly readOnly: boolean;
  readonly destructive: boolean;
  /** `schemaKeys` of the input schema. */
  readonly keys: readonly string[];
  readonly value: T;
}

/** True when `definition` still reads as `known` did: same texts, hints and schema property names. */
export function sameReading(
  known: DefinitionReading<unknown>,
  definition: { readonly name?: unknown; readonly title?: unknown; readonly description?: unknown },
  readOnly: boolean,
  destructive: boolean,
  keys: readonly string[],
): boolean {
  if (
    known.name !== definition.name ||
    known.title !== definition.title ||
    known.description !== definition.description ||
    known.readOnly !== readOnly ||
    known.destructive !== destructive ||
    known.keys.length !== keys.length
  ) {
    return false;
  }
  for (let i = 0; i < keys.length; i++) if (known.keys[i] !== keys[i]) return false;
  return true;
}
