import { readFile } from 'node:fs/promises';
import { createPipeline, type ToolCall } from '@governed-mcp/core';
import { assembleLayers } from '@governed-mcp/middleware-mcp';
import {
  type CompiledPolicy,
  DEFAULT_CONSTITUTION,
  formatDiagnostic,
  loadPolicyFile,
  type PolicyDiagnostic,
} from '@governed-mcp/policy-dsl';
import type { Command } from 'commander';
import { z } from 'zod';
import { ExitCode } from '../exit-codes.js';

/** The `--call` JSON: a tool name (or definition), its arguments, and optionally who calls it. */
const CallInputSchema = z.strictObject({
  tool: z.union([z.string().min(1), z.looseObject({ name: z.string().min(1) })]),
  arguments: z.record(z.string(), z.unknown()).default({}),
  principal: z.strictObject({ id: z.string(), tier: z.string() }).optional(),
  server: z.string().optional(),
  method: z.string().default('tools/call'),
});

function printDiagnostics(list: readonly PolicyDiagnostic[]): void {
  for (const d of list) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

async function load(file: string): Promise<CompiledPolicy | undefined> {
  const r = await loadPolicyFile(file);
  if (r.ok) {
    printDiagnostics(r.value.warnings);
    return r.value;
  }
  printDiagnostics(r.error);
  const errors = r.error.filter((d) => d.severity === 'error').length;
  process.stderr.write(`${file}: invalid policy (${errors} error${errors === 1 ? '' : 's'})\n`);
  process.exitCode = ExitCode.Failed;
  return undefined;
}

async function readCall(text: string): Promise<unknown> {
  // `--call @file.json` reads the call from a file.
  return JSON.parse(text.startsWith('@') ? await readFile(text.slice(1), 'utf8') : text);
}

/**
 * `policy check FILE` (exit 0 valid, 1 invalid; diagnostics as `FILE:LINE:COL: message`),
 * `policy explain FILE --call JSON` (which rule decides a call and why) and `policy default`
 * (prints the default constitution).
 */
export function register(program: Command): void {
  const policy = program.command('policy').description('Check, explain and print constitution policies');
  policy
    .command('check')
    .description('Check a policy file and the files it includes')
    .argument('<file>', 'policy file')
    .option('--json', 'print the result as JSON on stdout')
    .option('--strict', 'treat warnings (unreachable rules) as errors')
    .action(async (file: string, opts: { json?: boolean; strict?: boolean }) => {
      const r = await loadPolicyFile(file);
      const diagnostics = r.ok ? r.value.warnings : r.error;
      const failed = !r.ok || (opts.strict === true && diagnostics.length > 0);
      process.exitCode = failed ? ExitCode.Failed : ExitCode.Ok;
      if (opts.json) {
        const summary = r.ok
          ? {
              hash: r.value.hash,
              rules: r.value.rules.length,
              principles: r.value.principles.length,
              files: r.value.files,
            }
          : {};
        process.stdout.write(`${JSON.stringify({ ok: !failed, ...summary, diagnostics })}\n`);
        return;
      }
      printDiagnostics(diagnostics);
      if (r.ok && !failed) {
        const p = r.value;
        process.stdout.write(
          `${file}: ok: ${p.rules.length} rules, ${p.principles.length} principles, ${p.settings.tiers.length} tiers, default ${p.default}, hash ${p.hash}\n`,
        );
      } else {
        const errors = diagnostics.filter((d) => d.severity === 'error' || opts.strict === true).length;
        process.stderr.write(`${file}: invalid policy (${errors} error${errors === 1 ? '' : 's'})\n`);
      }
    });
  policy
    .command('explain')
    .description('Say which rule of a policy decides a call, and why')
    .argument('<file>', 'policy file')
    .requiredOption(
      '--call <json>',
      'the call as JSON ({"tool","arguments","principal"?,"server"?}) or @file.json',
    )
    .option('--json', 'print the explanation as JSON')
    .action(async (file: string, opts: { call: string; json?: boolean }) => {
      let input: z.infer<typeof CallInputSchema>;
      try {
        input = CallInputSchema.parse(await readCall(opts.call));
      } catch (e) {
        const why = e instanceof z.ZodError ? z.prettifyError(e) : (e as Error).message;
        process.stderr.write(`governed-mcp: --call is not a valid call: ${why}\n`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      const p = await load(file);
      if (p === undefined) return;
      const tool = typeof input.tool === 'string' ? { name: input.tool } : input.tool;
      const call: ToolCall = {
        method: input.method,
        tool: { inputSchema: { type: 'object' }, ...tool },
        arguments: input.arguments,
        principal: input.principal ?? p.settings.defaultPrincipal,
        ...(input.server === undefined ? {} : { server: input.server }),
      };
      const { match: m, matched } = p.explain(call);
      const ruled = m.decision === 'default' ? p.default : m.decision;
      const rule = m.rule === undefined ? undefined : p.rules.find((r) => r.name === m.rule);
      const overridden = matched.filter((r) => r.name !== m.rule);
      // The answer is the gate's, not the rules' alone: the call goes through the layers the proxy
      // builds from this policy (its tiers and `require tier` rules included), without the model.
      const gate = await createPipeline(
        await assembleLayers({ policy: p, configuration: 'no-probe' }),
      ).evaluate(call);
      const outcome = gate.decision.outcome;
      const deciding = outcome !== 'allow' ? gate.decision.reasons[0] : undefined;
      const byLayer = deciding !== undefined && deciding.layer !== 'policy';
      const explanation = {
        outcome,
        decidedBy: byLayer
          ? 'layer'
          : m.failure === true
            ? 'failure'
            : m.decision === 'default'
              ? 'default'
              : 'rule',
        layer: deciding?.layer ?? null,
        code: deciding?.code ?? null,
        rule: m.rule ?? null,
        where: rule === undefined ? null : `${rule.file}:${rule.line}`,
        reason: (byLayer ? deciding.detail : m.reason) ?? null,
        rules: ruled,
        overridden: overridden.map((r) => ({ rule: r.name, effect: r.effect, where: `${r.file}:${r.line}` })),
        principal: call.principal,
        policy: p.hash,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(explanation)}\n`);
        return;
      }
      const lines = [
        `${outcome.toUpperCase()} ${call.tool.name} for ${call.principal.id} (tier ${call.principal.tier})`,
        byLayer
          ? `  decided by: the ${deciding.layer} layer (${deciding.code}) before the rules; the rules alone: ${ruled}`
          : m.decision === 'default'
            ? `  decided by: the policy default (${p.default}); no rule matched`
            : `  decided by: ${m.decision} rule '${m.rule}' at ${explanation.where}`,
        `  reason: ${explanation.reason ?? ''}`,
        ...overridden.map(
          (r) => `  also matched, not deciding: ${r.effect} rule '${r.name}' at ${r.file}:${r.line}`,
        ),
        `  precedence: any matching deny wins; else the first matching ask; else the first matching allow; else the default`,
        `  policy: ${p.hash}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  policy
    .command('default')
    .description('Print the default constitution (a valid policy file to start from)')
    .action(() => {
      process.stdout.write(
        DEFAULT_CONSTITUTION.endsWith('\n') ? DEFAULT_CONSTITUTION : `${DEFAULT_CONSTITUTION}\n`,
      );
    });
}
