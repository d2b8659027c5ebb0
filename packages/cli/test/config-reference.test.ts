import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../src/config.js';
import {
  CONFIG_EXAMPLES,
  configFields,
  configJsonSchema,
  FIELD_NOTES,
  renderConfigReference,
} from '../src/config-reference.js';

const DOC = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/config.md');

describe('the configuration reference (docs/config.md)', () => {
  it('is what `governed-mcp config doc` generates from the schema today', () => {
    // Regenerate with: node --conditions=@governed-mcp/source --import tsx \
    //   packages/cli/src/cli/main.ts config doc > docs/config.md
    expect(readFileSync(DOC, 'utf8')).toBe(renderConfigReference());
  });

  it('explains every field of the schema, and no field the schema lacks', () => {
    const paths = configFields().map((f) => f.path);
    expect(paths.filter((p) => FIELD_NOTES[p] === undefined)).toEqual([]);
    expect(Object.keys(FIELD_NOTES).filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('lists every tier of the default table with its rate limits', () => {
    const doc = renderConfigReference();
    for (const t of DEFAULT_SETTINGS.tiers) {
      const bucket = t.rateLimit.perPrincipalTool;
      expect(doc).toContain(`| ${t.name} |`);
      expect(doc).toContain(`${bucket?.capacity}, ${bucket?.refillPerSec}/s`);
    }
  });

  it('gives worked examples that the proxy accepts as they are printed', () => {
    const doc = renderConfigReference();
    for (const e of CONFIG_EXAMPLES) {
      expect(doc).toContain(JSON.stringify(e.config, null, 2));
      expect(() => parseProxyConfig(e.config, '/srv/gate', { GMCP_TOKEN_CI: 'x'.repeat(32) })).not.toThrow();
    }
  });

  it('prints a JSON Schema that rejects unknown keys at the top level', () => {
    const schema = configJsonSchema();
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toContain('principal');
  });
});
