import { DEFAULT_SETTINGS, isGovernedError } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { assembleLayers, CANONICAL_LAYERS, isLayerConfiguration } from '../../src/assembly.js';

const names = (layers: { name: string }[]): string[] => layers.map((l) => l.name);

describe('assembleLayers', () => {
  it('builds the layers of no-probe in canonical order, without the probe', async () => {
    const missing: string[] = [];
    const layers = await assembleLayers({
      settings: DEFAULT_SETTINGS,
      configuration: 'no-probe',
      onMissing: (l) => missing.push(l),
    });
    const built = names(layers);
    expect(built).not.toContain('probe');
    expect([...built, ...missing].sort()).toEqual(CANONICAL_LAYERS.filter((l) => l !== 'probe').sort());
    // Canonical order is kept.
    const order = built.map((n) => CANONICAL_LAYERS.indexOf(n as never));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('no-prefilter leaves the pre-filter out', async () => {
    const layers = await assembleLayers({
      settings: DEFAULT_SETTINGS,
      configuration: 'no-prefilter',
      probe: { url: 'http://127.0.0.1:1' },
      onMissing: () => {},
    });
    expect(names(layers)).not.toContain('prefilter');
    expect(names(layers)).toContain('schema');
  });

  it('refuses a configuration with the probe when no model or server is given', async () => {
    for (const configuration of ['full', 'probe-only'] as const) {
      await expect(assembleLayers({ settings: DEFAULT_SETTINGS, configuration })).rejects.toSatisfy(
        (e: unknown) =>
          isGovernedError(e, 'invalid_config') && /--model|--probe-url/.test((e as Error).message),
      );
    }
  });

  it('refuses an unknown configuration name', async () => {
    await expect(
      assembleLayers({ settings: DEFAULT_SETTINGS, configuration: 'yolo' as never }),
    ).rejects.toMatchObject({ code: 'invalid_config' });
    expect(isLayerConfiguration('full')).toBe(true);
    expect(isLayerConfiguration('yolo')).toBe(false);
  });

  it('never hands out an empty pipeline, which would allow everything', async () => {
    const attempt = assembleLayers({
      settings: DEFAULT_SETTINGS,
      configuration: 'probe-only',
      probe: { url: 'http://127.0.0.1:1' },
      onMissing: () => {},
    });
    // Either the probe layer is built, or the empty result is refused.
    await attempt.then(
      (layers) => expect(names(layers)).toEqual(['probe']),
      (err: unknown) => expect(isGovernedError(err, 'invalid_config')).toBe(true),
    );
  });
});
