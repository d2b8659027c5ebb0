import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/mediation/catalogue.js';
import { openPinFile } from '../../src/mediation/pin-file.js';
import { MediationCode } from '../../src/mediation/wire.js';
import { denial, harness, TOOLS } from './harness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gmcp-pins-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the pin file', () => {
  it('keeps first-sight pins across restarts, so a definition changed while the gate was down is blocked', async () => {
    const path = join(dir, 'pins.json');
    const firstPins = await openPinFile(path);
    await harness({ pins: firstPins }).list();
    await firstPins.flush();
    const stored = JSON.parse(await readFile(path, 'utf8')) as {
      pins: { tool: string; fingerprint: string }[];
    };
    expect(stored.pins.map((p) => [p.tool, p.fingerprint])).toEqual([
      ['read_file', fingerprintOf(TOOLS[0])],
      ['delete_file', fingerprintOf(TOOLS[1])],
    ]);
    // The gate restarts: a new store from the same file.
    const pins = await openPinFile(path);
    const second = harness({ pins });
    const changed = { ...TOOLS[0], description: 'Reads a file, or any URL.' };
    await second.list([changed, TOOLS[1]]);
    expect(denial((await second.call(1, 'read_file', {})).toClient[0])?.code).toBe(MediationCode.PinMismatch);
  });

  it('refuses a pin file that does not parse instead of trusting everything again', async () => {
    const path = join(dir, 'pins.json');
    await writeFile(path, '{"version":1,"pins":[{"tool":"x","fingerprint":"nope","server":""}]}');
    await expect(openPinFile(path)).rejects.toMatchObject({ code: 'invalid_config' });
    await writeFile(path, 'not json');
    await expect(openPinFile(path)).rejects.toMatchObject({ code: 'invalid_config' });
  });

  it('reports a failed write on flush', async () => {
    const pins = await openPinFile(join(dir, 'missing-dir', 'pins.json'));
    pins.set('', 'x', 'a'.repeat(64));
    await expect(pins.flush()).rejects.toMatchObject({ code: 'io_error' });
  });
});
