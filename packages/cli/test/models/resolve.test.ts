import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelCacheDir } from '../../src/models/cache.js';
import { resolveModelPath } from '../../src/models/resolve.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resolve-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('resolveModelPath', () => {
  it('returns the cached file for a known name', async () => {
    await writeFile(join(dir, 'tiny.gguf'), 'GGUF');
    expect(resolveModelPath('tiny', { GOVERNED_MCP_MODELS: dir })).toBe(join(dir, 'tiny.gguf'));
  });

  it('uses an existing file path as it is', async () => {
    const file = join(dir, 'elsewhere.bin');
    await writeFile(file, 'GGUF');
    expect(resolveModelPath(file, { GOVERNED_MCP_MODELS: join(dir, 'empty') })).toBe(file);
  });

  it('throws unknown_model naming `governed-mcp model list` for a name the cache lacks', () => {
    expect(() => resolveModelPath('nope', { GOVERNED_MCP_MODELS: dir })).toThrow(
      expect.objectContaining({
        code: 'unknown_model',
        message: expect.stringContaining('governed-mcp model list'),
      }),
    );
  });
});

describe('modelCacheDir', () => {
  it('prefers GOVERNED_MCP_MODELS, then XDG_CACHE_HOME, then LOCALAPPDATA on Windows, then ~/.cache', () => {
    expect(modelCacheDir({ GOVERNED_MCP_MODELS: '/m', XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/m');
    expect(modelCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux')).toBe(join('/x', 'governed-mcp', 'models'));
    expect(modelCacheDir({ LOCALAPPDATA: '/l', HOME: '/h' }, 'win32')).toBe(
      join('/l', 'governed-mcp', 'models'),
    );
    expect(modelCacheDir({ HOME: '/h' }, 'linux')).toBe(join('/h', '.cache', 'governed-mcp', 'models'));
  });
});
