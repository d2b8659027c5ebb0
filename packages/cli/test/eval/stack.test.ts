import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGovernedError } from '@governed-mcp/core';
import { layersOf } from '@governed-mcp/middleware-mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalErrorCode } from '../../src/eval/dataset.js';
import { createEvalStack, EVAL_CONFIGS, needsModel } from '../../src/eval/stack.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gmcp-stack-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return isGovernedError(err) ? err.code : String(err);
  }
}

describe('eval stack', () => {
  it('names the layers of each ablation configuration in the proxy’s order', () => {
    expect(layersOf('full')).toEqual([
      'schema',
      'tier',
      'rate-limit',
      'paths',
      'prefilter',
      'probe',
      'policy',
    ]);
    expect(layersOf('no-probe')).toEqual(['schema', 'tier', 'rate-limit', 'paths', 'prefilter', 'policy']);
    expect(layersOf('no-prefilter')).toEqual(['schema', 'tier', 'rate-limit', 'paths', 'probe', 'policy']);
    expect(layersOf('probe-only')).toEqual(['probe']);
    expect(EVAL_CONFIGS.filter(needsModel)).toEqual(['full', 'probe-only', 'no-prefilter']);
  });

  it('builds no-probe from the deterministic layers, reporting any it could not build instead of faking them', async () => {
    const stack = await createEvalStack({ config: 'no-probe' });
    expect(stack.layers).toEqual(layersOf('no-probe'));
    expect(stack.layers.slice(0, 3)).toEqual(['schema', 'tier', 'rate-limit']);
    expect(stack.pipeline.layers.map((l) => l.name)).toEqual(stack.layers);
    expect(stack.defaultPrincipal.tier).toBe('trusted');
  });

  it('refuses a configuration with the probe when no model or probe URL is given', async () => {
    for (const config of ['full', 'probe-only', 'no-prefilter'] as const) {
      expect(await codeOf(createEvalStack({ config }))).toBe(EvalErrorCode.ModelRequired);
    }
  });

  it('leaves out skipped layers, so no-prefilter without the probe needs no model', async () => {
    const stack = await createEvalStack({ config: 'no-prefilter', skip: ['probe'] });
    expect(stack.layers).not.toContain('probe');
    expect(stack.layers).not.toContain('prefilter');
    expect(stack.layers.slice(0, 3)).toEqual(['schema', 'tier', 'rate-limit']);
    expect(await codeOf(createEvalStack({ config: 'no-probe', skip: ['probes'] }))).toBe(
      EvalErrorCode.InvalidOption,
    );
    expect(await codeOf(createEvalStack({ config: 'probe-only', skip: ['probe'] }))).toBe(
      EvalErrorCode.InvalidOption,
    );
  });

  it('refuses an unknown default tier and an invalid policy file', async () => {
    expect(await codeOf(createEvalStack({ config: 'no-probe', tier: 'root' }))).toBe(
      EvalErrorCode.InvalidOption,
    );
    const bad = join(dir, 'bad.policy');
    await writeFile(bad, 'this is not a policy {\n');
    const code = await codeOf(createEvalStack({ config: 'no-probe', policyPath: bad }));
    expect(code).toBeDefined();
    expect(code).not.toMatch(/^Error/);
  });
});
