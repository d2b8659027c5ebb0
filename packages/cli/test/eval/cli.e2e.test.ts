import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONSTITUTION } from '@governed-mcp/policy-dsl';
import { writeRandomModel } from '@governed-mcp/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@governed-mcp/source', '--import', 'tsx', 'packages/cli/src/cli/main.ts', ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gmcp-eval-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('governed-mcp eval', () => {
  it('exits 0 and prints one JSON object whose counts add up, with --json', async () => {
    const r = await cli(['eval', '--dataset', fixture('small.jsonl'), '--layers', 'no-probe', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of ['n', 'tp', 'fp', 'tn', 'fn', 'precision', 'recall', 'f1', 'fpr']) {
      expect(typeof report[key]).toBe('number');
    }
    expect(report['n']).toBe(4);
    expect((report['tp'] as number) + (report['fn'] as number)).toBe(2);
    expect((report['fp'] as number) + (report['tn'] as number)).toBe(2);
    // The undeclared parameter is caught by the schema layer whatever else has landed.
    expect(
      (report['byLayer'] as Record<string, { caught: number }>)['schema']?.caught,
    ).toBeGreaterThanOrEqual(1);
    expect(report['misclassified']).toBeDefined();
    expect(r.stderr).not.toMatch(/\bat .+\.ts:\d+/);
  });

  it('prints a readable report without colour when stdout is not a terminal', async () => {
    const r = await cli(['eval', '--dataset', fixture('small.jsonl'), '--config', 'no-probe']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/precision/);
    expect(r.stdout).toMatch(/By layer/);
    expect(r.stdout).toMatch(/Misclassified/);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('exits 1 and names every invalid line of the dataset', async () => {
    const r = await cli(['eval', '--dataset', fixture('bad.jsonl'), '--config', 'no-probe', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    for (const line of [2, 3, 4, 5]) expect(r.stderr).toContain(`bad.jsonl:${line}:`);
    expect(r.stderr).not.toContain('bad.jsonl:1:');
    expect(r.stderr).toMatch(/nothing was evaluated/);
  });

  it('replays sessions and adds session figures and asks to the JSON report', async () => {
    const r = await cli(['eval', '--dataset', fixture('sessions.jsonl'), '--layers', 'no-probe', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    // The IBAN the bill's injected text named is refused where it is used: no attack succeeds.
    expect([report['n'], report['tp'], report['fp'], report['tn'], report['fn']]).toEqual([10, 3, 1, 6, 0]);
    expect(report['asks']).toBe(0);
    expect(report['sessions']).toMatchObject({
      attack: 2,
      attack_succeeded: 0,
      asr: 0,
      benign: 2,
      completed: 1,
      utility: 0.5,
      task: 'not-passed',
    });
    const text = await cli(['eval', '--dataset', fixture('sessions.jsonl'), '--layers', 'no-probe']);
    expect(text.stdout).toMatch(/Sessions \(4 sessions, 10 steps/);
    expect(text.stdout).toMatch(/task: not passed/);
    const withTask = await cli([
      'eval',
      '--dataset',
      fixture('sessions.jsonl'),
      '--layers',
      'no-probe',
      '--with-task',
      '--json',
    ]);
    expect((JSON.parse(withTask.stdout) as { sessions: { task: string } }).sessions.task).toBe('passed');
  });

  it('exits 1 and names the invalid session line, evaluating nothing', async () => {
    const r = await cli([
      'eval',
      '--dataset',
      fixture('bad-sessions.jsonl'),
      '--layers',
      'no-probe',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("bad-sessions.jsonl:2: steps.1.call.name: tool 'send_money' is not among");
    expect(r.stderr).toContain('bad-sessions.jsonl:3:');
    expect(r.stderr).not.toContain('bad-sessions.jsonl:1:');
  });

  it('exits 1 with a clear message when a configuration needs a model and none is given', async () => {
    for (const config of ['full', 'probe-only', 'no-prefilter']) {
      const r = await cli(['eval', '--dataset', fixture('small.jsonl'), '--config', config]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/needs a model: pass --model/);
      expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    }
  });

  it('runs the semantic layer alone on a real GGUF model (probe-only), times it per call, reports the ROC AUC of its score and writes every score', async () => {
    const { path } = await writeRandomModel({ dir });
    const scores = join(dir, 'scores.jsonl');
    const r = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--config',
      'probe-only',
      '--model',
      path,
      '--scores',
      scores,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      n: number;
      layers: string[];
      latency: { layers: Record<string, { n: number; p50_us: number }> };
      byLayer: Record<string, { codes: Record<string, number> }>;
    };
    expect(report.n).toBe(4);
    expect(report.layers).toEqual(['probe']);
    expect(report.latency.layers['probe']!.n).toBe(4);
    expect(report.latency.layers['probe']!.p50_us).toBeGreaterThan(0);
    // Whatever a random model decides, each block is a probe verdict, never a failure.
    for (const code of Object.keys(report.byLayer['probe']?.codes ?? {}))
      expect(code).toBe('probe_dangerous');
    const lines = (await readFile(scores, 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            label: string;
            blocked: boolean;
            probe: { pCalibrated: number; pRaw: number; threshold: number; question: string };
          },
      );
    expect(lines).toHaveLength(4);
    const withAuc = report as unknown as { auc: number | null; aucScored: number };
    expect(withAuc.aucScored).toBe(4);
    // The reported AUC is the AUC of the scores written out, recomputed here by counting pairs.
    const pos = lines.filter((l) => l.label === 'dangerous');
    const neg = lines.filter((l) => l.label === 'safe');
    let wins = 0;
    for (const a of pos)
      for (const b of neg)
        wins +=
          a.probe.pCalibrated > b.probe.pCalibrated
            ? 1
            : a.probe.pCalibrated === b.probe.pCalibrated
              ? 0.5
              : 0;
    expect(withAuc.auc).toBeCloseTo(wins / (pos.length * neg.length), 12);
    for (const l of lines) {
      expect(l.probe.question).toBe('danger');
      expect(l.blocked).toBe(l.probe.pCalibrated >= l.probe.threshold);
    }
  }, 60_000);

  it('measures prompt and verbalizer variants of the probe: the plain prompt, few-shot examples, other answer words; a malformed verbalizer exits 1 with its code', async () => {
    const { path } = await writeRandomModel({ dir });
    for (const variant of [
      ['--probe-prompt', 'plain'],
      ['--probe-prompt', 'few-shot', '--probe-verbalizer', 'Yes/No'],
    ]) {
      const r = await cli([
        'eval',
        '--dataset',
        fixture('small.jsonl'),
        '--layers',
        'probe-only',
        '--model',
        path,
        ...variant,
        '--json',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { n: number; aucScored: number };
      expect(report.aucScored).toBe(report.n);
    }
    const bad = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--layers',
      'probe-only',
      '--model',
      path,
      '--probe-verbalizer',
      'Safe',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/SAFE\/DANGEROUS.*\[eval_invalid_option\]/);
    // An operating point for every tier: every score was taken at it; one out of range is a usage error.
    const scores = join(dir, 'point.jsonl');
    const at = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--layers',
      'probe-only',
      '--model',
      path,
      '--probe-alpha',
      '0.3',
      '--probe-threshold',
      '0.6',
      '--scores',
      scores,
    ]);
    expect(at.code).toBe(0);
    for (const line of (await readFile(scores, 'utf8')).trim().split('\n')) {
      const r = JSON.parse(line) as {
        blocked: boolean;
        probe: { alpha: number; threshold: number; pCalibrated: number };
      };
      expect(r.probe).toMatchObject({ alpha: 0.3, threshold: 0.6 });
      expect(r.blocked).toBe(r.probe.pCalibrated >= 0.6);
    }
    const out = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--layers',
      'no-probe',
      '--probe-threshold',
      '1',
    ]);
    expect(out.code).toBe(2);
    // A server kind describes --probe-url; vLLM also needs the model it serves.
    const kindAlone = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--layers',
      'no-probe',
      '--probe-kind',
      'vllm',
    ]);
    expect(kindAlone.code).toBe(2);
    expect(kindAlone.stderr).toMatch(/--probe-url/);
    const vllm = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--layers',
      'probe-only',
      '--probe-url',
      'http://127.0.0.1:9',
      '--probe-kind',
      'vllm',
    ]);
    expect(vllm.code).toBe(2);
    expect(vllm.stderr).toMatch(/--probe-served-model/);
  }, 120_000);

  it('exits 1 with the probe’s code for a model file that is not a usable GGUF, and 2 for --model with --probe-url', async () => {
    const bad = join(dir, 'bad.gguf');
    await writeFile(bad, 'not a model at all');
    const r = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--config',
      'probe-only',
      '--model',
      bad,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/probe_model_invalid/);
    const both = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--config',
      'probe-only',
      '--model',
      bad,
      '--probe-url',
      'http://127.0.0.1:9',
    ]);
    expect(both.code).toBe(2);
  });

  it('takes a policy file: the default constitution written out decides as the built-in default, a broken one exits 1 with its positions', async () => {
    const good = join(dir, 'constitution.policy');
    await writeFile(good, DEFAULT_CONSTITUTION);
    const base = await cli(['eval', '--dataset', fixture('small.jsonl'), '--config', 'no-probe', '--json']);
    const withFile = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--config',
      'no-probe',
      '--policy',
      good,
      '--json',
    ]);
    expect(withFile.code).toBe(0);
    const pick = (out: string): unknown => {
      const r = JSON.parse(out) as Record<string, unknown>;
      return [r['layers'], r['tp'], r['fp'], r['tn'], r['fn']];
    };
    expect(pick(withFile.stdout)).toEqual(pick(base.stdout));
    const bad = join(dir, 'broken.policy');
    await writeFile(bad, 'default allow\nthis is not a rule {\n');
    const broken = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--config',
      'no-probe',
      '--policy',
      bad,
    ]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.policy:2:\d+: /);
    expect(broken.stdout).toBe('');
  });

  it('takes the layer set as --layers, still accepts its former name --config, and exits 2 when the two disagree or neither is given', async () => {
    const pick = (out: string): unknown => {
      const r = JSON.parse(out) as Record<string, unknown>;
      return [r['layers'], r['tp'], r['fp'], r['tn'], r['fn']];
    };
    const args = ['eval', '--dataset', fixture('small.jsonl'), '--json'];
    const [layers, alias] = await Promise.all([
      cli([...args, '--layers', 'no-probe']),
      cli([...args, '--config', 'no-probe']),
    ]);
    expect([layers.code, alias.code]).toEqual([0, 0]);
    expect(pick(alias.stdout)).toEqual(pick(layers.stdout));
    const [disagree, neither, help] = await Promise.all([
      cli([...args, '--layers', 'no-probe', '--config', 'full']),
      cli(args),
      cli(['eval', '--help']),
    ]);
    expect(disagree.code).toBe(2);
    expect(disagree.stderr).toMatch(/--layers no-probe and --config full disagree/);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/--layers is required/);
    expect(help.stdout).toMatch(/--layers <name>/);
    expect(help.stdout).not.toMatch(/--config/);
  }, 120_000);

  it('exits 1 for a missing dataset file and 2 for an unknown configuration', async () => {
    const missing = await cli(['eval', '--dataset', join(dir, 'nope.jsonl'), '--config', 'no-probe']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
    const unknown = await cli(['eval', '--dataset', fixture('small.jsonl'), '--config', 'everything']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/everything/);
  });

  it('exits 1 for an unknown tier and for an empty dataset', async () => {
    const tier = await cli([
      'eval',
      '--dataset',
      fixture('small.jsonl'),
      '--config',
      'no-probe',
      '--tier',
      'root',
    ]);
    expect(tier.code).toBe(1);
    expect(tier.stderr).toMatch(/unknown tier 'root'/);
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '\n');
    const r = await cli(['eval', '--dataset', empty, '--config', 'no-probe']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no cases/);
  });
});
