import { PROBE_SERVER_KINDS, type ProbeServerKind } from '@governed-mcp/probe';
import { type Command, Option } from 'commander';
import { runEvalCommand } from '../../eval/command.js';
import { PROBE_PROMPTS, type ProbePrompt } from '../../eval/probe-variant.js';
import { EVAL_CONFIGS, type EvalConfig } from '../../eval/stack.js';
import { resolveModelPath } from '../../models/resolve.js';
import { ExitCode } from '../exit-codes.js';

interface Flags {
  dataset: string;
  layers?: EvalConfig;
  /** The former name of `--layers`, still accepted. */
  config?: EvalConfig;
  policy?: string;
  model?: string;
  probeUrl?: string;
  probeKind?: ProbeServerKind;
  probeServedModel?: string;
  tier?: string;
  skip?: string;
  warmup?: boolean;
  concurrency?: string;
  withTask?: boolean;
  scores?: string;
  probePrompt?: ProbePrompt;
  probeVerbalizer?: string;
  probeAlpha?: string;
  probeThreshold?: string;
  json?: boolean;
  deadlineMs?: string;
}

function usage(message: string): void {
  process.stderr.write(`governed-mcp eval: ${message}\n`);
  process.exitCode = ExitCode.Usage;
}

/** The layer set from `--layers`, or from its hidden alias `--config`; undefined after a usage error. */
function layerSet(flags: Flags): EvalConfig | undefined {
  if (flags.layers !== undefined && flags.config !== undefined && flags.layers !== flags.config) {
    usage(`--layers ${flags.layers} and --config ${flags.config} disagree: give one`);
    return undefined;
  }
  const chosen = flags.layers ?? flags.config;
  if (chosen === undefined) usage(`--layers is required: one of ${EVAL_CONFIGS.join(', ')}`);
  return chosen;
}

/**
 * `eval --dataset F --layers full|no-probe|probe-only|no-prefilter [--policy F] [--model GGUF | --probe-url URL]
 * [--tier NAME] [--skip LAYERS] [--json]`: exit 0 ran, 1 bad dataset, missing model or unusable option, 2 usage.
 * `--config NAME` is the former name of `--layers` (hidden, still accepted); `proxy --config` is a file.
 */
export function register(program: Command): void {
  program
    .command('eval')
    .description('Measure the gate on a labelled benchmark set (precision, recall, F1, FPR, per layer)')
    .requiredOption('--dataset <file>', 'benchmark cases, JSON Lines (see eval/README.md)')
    .addOption(new Option('--layers <name>', 'the layer set to measure (ablation)').choices(EVAL_CONFIGS))
    .addOption(new Option('--config <name>', 'former name of --layers').choices(EVAL_CONFIGS).hideHelp())
    .option('--policy <file>', 'policy file (default: the default constitution)')
    .addOption(
      new Option(
        '--model <gguf|name>',
        'GGUF model (a file, or a name from `model list`) for the semantic layer',
      ).conflicts('probeUrl'),
    )
    .option('--probe-url <url>', 'an inference server for the semantic layer')
    .addOption(
      new Option('--probe-kind <kind>', 'which server --probe-url is (default llama-server)').choices(
        PROBE_SERVER_KINDS,
      ),
    )
    .option('--probe-served-model <name>', 'the model name a vllm server serves')
    .option('--tier <name>', "tier of cases that name no principal (default 'trusted')")
    .option(
      '--skip <layers>',
      'comma-separated layers to leave out as well (e.g. probe: then no model is needed)',
    )
    .option('--deadline-ms <ms>', 'per-call deadline in ms (default: the pipeline default)')
    .option('--concurrency <n>', 'cases evaluated at once, for a batching probe backend (default 1)')
    .option('--no-warmup', 'measure latencies cold (default: after one unrecorded pass over every case)')
    .option(
      '--with-task',
      "pass each session's task to the gate, as a host that embeds it would (the proxy cannot)",
    )
    .addOption(
      new Option(
        '--probe-prompt <name>',
        "the probe's prompt: facts (default, as the proxy), plain, few-shot",
      ).choices(PROBE_PROMPTS),
    )
    .option('--probe-verbalizer <words>', "the probe's answer words, SAFE/DANGEROUS (default Safe/Dangerous)")
    .option(
      '--probe-alpha <a>',
      "the probe's calibration strength for every tier, 0 to 1 (default: the tier's)",
    )
    .option(
      '--probe-threshold <t>',
      "the probe's danger threshold for every tier, between 0 and 1 (default: the tier's)",
    )
    .option('--scores <file>', 'also write one JSON line per judged call (label, answer, probe scores)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: Flags) => {
      const layers = layerSet(flags);
      if (layers === undefined) return;
      let deadlineMs: number | undefined;
      if (flags.deadlineMs !== undefined) {
        deadlineMs = Number(flags.deadlineMs);
        if (!(Number.isFinite(deadlineMs) && deadlineMs > 0)) {
          usage('--deadline-ms takes a positive number');
          return;
        }
      }
      let concurrency: number | undefined;
      if (flags.concurrency !== undefined) {
        concurrency = Number(flags.concurrency);
        if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 256)) {
          usage('--concurrency takes an integer from 1 to 256');
          return;
        }
      }
      const alpha = flags.probeAlpha === undefined ? undefined : Number(flags.probeAlpha);
      if (alpha !== undefined && !(alpha >= 0 && alpha <= 1)) {
        usage('--probe-alpha takes a number from 0 to 1');
        return;
      }
      const threshold = flags.probeThreshold === undefined ? undefined : Number(flags.probeThreshold);
      if (threshold !== undefined && !(threshold > 0 && threshold < 1)) {
        usage('--probe-threshold takes a number between 0 and 1');
        return;
      }
      if (
        flags.probeUrl === undefined &&
        (flags.probeKind !== undefined || flags.probeServedModel !== undefined)
      ) {
        usage('--probe-kind and --probe-served-model describe --probe-url, which is missing');
        return;
      }
      if (flags.probeKind === 'vllm' && flags.probeServedModel === undefined) {
        usage('--probe-kind vllm needs --probe-served-model');
        return;
      }
      let model: string | undefined;
      try {
        model = flags.model === undefined ? undefined : resolveModelPath(flags.model);
      } catch (err) {
        usage((err as Error).message);
        return;
      }
      process.exitCode = await runEvalCommand(
        {
          dataset: flags.dataset,
          config: layers,
          ...(flags.policy === undefined ? {} : { policy: flags.policy }),
          ...(model === undefined ? {} : { model }),
          ...(flags.probeUrl === undefined ? {} : { probeUrl: flags.probeUrl }),
          ...(flags.probeKind === undefined ? {} : { probeKind: flags.probeKind }),
          ...(flags.probeServedModel === undefined ? {} : { servedModel: flags.probeServedModel }),
          ...(flags.tier === undefined ? {} : { tier: flags.tier }),
          ...(flags.skip === undefined
            ? {}
            : {
                skip: flags.skip
                  .split(',')
                  .map((l) => l.trim())
                  .filter((l) => l !== ''),
              }),
          ...(flags.json === undefined ? {} : { json: flags.json }),
          ...(deadlineMs === undefined ? {} : { deadlineMs }),
          ...(flags.warmup === false ? { warmup: false } : {}),
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(flags.withTask === true ? { withTask: true } : {}),
          ...(flags.scores === undefined ? {} : { scores: flags.scores }),
          ...(flags.probePrompt === undefined ? {} : { probePrompt: flags.probePrompt }),
          ...(flags.probeVerbalizer === undefined ? {} : { verbalizer: flags.probeVerbalizer }),
          ...(alpha === undefined && threshold === undefined
            ? {}
            : {
                probeStrictness: {
                  ...(alpha === undefined ? {} : { alpha }),
                  ...(threshold === undefined ? {} : { threshold }),
                },
              }),
        },
        { stdout: process.stdout, stderr: process.stderr },
      );
    });
}
