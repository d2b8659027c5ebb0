import type { CapabilityClass, ToolDefinition } from '@governed-mcp/core';
import { blake3Hex, CAPABILITY_CLASSES, canonicalJson, classifyTool } from '@governed-mcp/core';
import type { PinStore } from './pins.js';
import { type PoisonFinding, scanToolDefinition } from './poisoning.js';

/** Where a listed tool stands: callable, changed since pinned, or flagged and never approved. */
export type ToolStatus = 'approved' | 'changed' | 'poisoned';

/** One listed tool as the gate saw it. */
export interface CatalogueEntry {
  readonly definition: ToolDefinition;
  /** Blake3 of the canonical definition (every field but `_meta`). */
  readonly fingerprint: string;
  readonly findings: readonly PoisonFinding[];
  /** What the tool can do (`classifyTool`), inferred once per fingerprint. */
  readonly classes: readonly CapabilityClass[];
}

/** Longest tool name accepted (MCP recommends 1–128 characters). */
export const MAX_TOOL_NAME = 128;

/**
 * The fingerprint of a tool definition: Blake3 over its canonical JSON, covering name, title,
 * description, input and output schema, annotations and any other field except `_meta` (which carries
 * transport bookkeeping, not behaviour).
 */
export function fingerprintOf(definition: Readonly<Record<string, unknown>>): string {
  const { _meta: _ignored, ...rest } = definition;
  return blake3Hex(canonicalJson(rest, { lenient: true }));
}

/** `raw` as a tool definition, or undefined when it is malformed (no name, a bad name, no input schema). */
export function asDefinition(raw: unknown): ToolDefinition | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const d = raw as Record<string, unknown>;
  if (typeof d.name !== 'string' || d.name.length === 0 || d.name.length > MAX_TOOL_NAME) return undefined;
  const schema = d.inputSchema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  return raw as ToolDefinition;
}

/** Most definitions whose classes are remembered; the oldest is forgotten past it. */
const MAX_CLASSIFIED = 4_096;

/** Classes by definition fingerprint: a definition is classified once, however many sessions list it. */
const classified = new Map<string, readonly CapabilityClass[]>();

/** The classes of `definition`; one that cannot be classified counts as able to do everything (fail-closed). */
export function classify(definition: ToolDefinition): readonly CapabilityClass[] {
  try {
    return Object.freeze(classifyTool(definition).slice());
  } catch {
    return CAPABILITY_CLASSES;
  }
}

/** The capability classes of the definition with `fingerprint`, inferred on first sight. */
export function classesOf(fingerprint: string, definition: ToolDefinition): readonly CapabilityClass[] {
  let classes = classified.get(fingerprint);
  if (classes === undefined) {
    classes = classify(definition);
    classified.set(fingerprint, classes);
    if (classified.size > MAX_CLASSIFIED) classified.delete(classified.keys().next().value as string);
  }
  return classes;
}

/** The status of `entry` against the pin store (approval takes effect at once, no relisting needed). */
export function statusOf(entry: CatalogueEntry, pins: PinStore, server: string): ToolStatus {
  const pinned = pins.get(server, entry.definition.name);
  if (pinned === entry.fingerprint) return 'approved';
  return pinned === undefined ? 'poisoned' : 'changed';
}

/** What one page of `tools/list` did to the catalogue. */
export interface PageReport {
  /** Entries kept, in the server's order. */
  readonly entries: readonly CatalogueEntry[];
  /** Items dropped: malformed definitions or repeated names. */
  readonly dropped: readonly string[];
  /** Tools pinned for the first time by this page. */
  readonly pinned: readonly string[];
}

/**
 * The tools one server listed to one session. Emptied when the server says its list changed, so the
 * next call relists and a changed definition is compared with its pin before it can be called.
 */
export class ToolCatalogue {
  readonly #tools = new Map<string, CatalogueEntry>();
  /** True once a complete listing (last page) arrived since the last change notice. */
  fresh = false;

  /** The entry for `name`, if listed. */
  get(name: string): CatalogueEntry | undefined {
    return this.#tools.get(name);
  }

  /** Every listed entry. */
  entries(): CatalogueEntry[] {
    return [...this.#tools.values()];
  }

  /** Forgets the listing (on `notifications/tools/list_changed`). Pins are kept. */
  invalidate(): void {
    this.#tools.clear();
    this.fresh = false;
  }

  /**
   * Adds one page of a listing: scans and fingerprints each definition, pins clean first sightings.
   * `first` clears the previous listing; `last` marks the catalogue fresh. `scanned` holds findings
   * already made for items of `tools` (the probe's, with the scan's): those items are not scanned again.
   */
  addPage(
    tools: readonly unknown[],
    pins: PinStore,
    server: string,
    first: boolean,
    last: boolean,
    scanned?: ReadonlyMap<unknown, readonly PoisonFinding[]>,
  ): PageReport {
    if (first) this.#tools.clear();
    const entries: CatalogueEntry[] = [];
    const dropped: string[] = [];
    const pinned: string[] = [];
    const seen = new Set<string>();
    for (const raw of tools) {
      const definition = asDefinition(raw);
      if (definition === undefined) {
        dropped.push('(malformed definition)');
        continue;
      }
      if (seen.has(definition.name)) {
        dropped.push(definition.name);
        continue;
      }
      seen.add(definition.name);
      const fingerprint = fingerprintOf(definition as unknown as Record<string, unknown>);
      const entry: CatalogueEntry = {
        definition,
        fingerprint,
        findings: scanned?.get(raw) ?? scanToolDefinition(definition as unknown as Record<string, unknown>),
        classes: classesOf(fingerprint, definition),
      };
      if (pins.get(server, definition.name) === undefined && entry.findings.length === 0) {
        pins.set(server, definition.name, entry.fingerprint);
        pinned.push(definition.name);
      }
      this.#tools.set(definition.name, entry);
      entries.push(entry);
    }
    if (last) this.fresh = true;
    return { entries, dropped, pinned };
  }
}
