/**
 * Where approved tool fingerprints are kept. The first clean definition of a tool is pinned; a later
 * definition with another fingerprint is blocked until an operator approves it (which re-pins).
 */
export interface PinStore {
  /** The approved fingerprint of `tool` on `server` (`''` when the gate fronts one server). */
  get(server: string, tool: string): string | undefined;
  /** Records `fingerprint` as the approved definition of `tool`. */
  set(server: string, tool: string, fingerprint: string): void;
}

/** An in-memory pin store, optionally seeded (e.g. from a reviewed lock file). */
export function createMemoryPinStore(
  seed: Iterable<{ server?: string; tool: string; fingerprint: string }> = [],
): PinStore & { entries(): { server: string; tool: string; fingerprint: string }[] } {
  const pins = new Map<string, { server: string; tool: string; fingerprint: string }>();
  // NUL cannot occur in a tool or server name that passed the catalogue's checks.
  const key = (server: string, tool: string): string => `${server}\u0000${tool}`;
  for (const s of seed)
    pins.set(key(s.server ?? '', s.tool), {
      server: s.server ?? '',
      tool: s.tool,
      fingerprint: s.fingerprint,
    });
  return {
    get: (server, tool) => pins.get(key(server, tool))?.fingerprint,
    set: (server, tool, fingerprint) => {
      pins.set(key(server, tool), { server, tool, fingerprint });
    },
    entries: () => [...pins.values()],
  };
}
