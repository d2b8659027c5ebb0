import { createColors } from 'picocolors';
import type { EvalReport, SliceReport } from './report.js';

type Align = 'left' | 'right';
const ANSI = /\u001b\[[0-9;]*m/g;

function width(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/** Pads every column to its widest cell; `aligns` per column (default left). */
export function table(rows: readonly (readonly string[])[], aligns: readonly Align[] = []): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - width(cell));
          return aligns[i] === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number): string => x.toFixed(3);
const us = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} ms` : `${x} µs`);

/**
 * Renders the report for a person: summary, confusion matrix, per-domain, per-category and per-layer
 * tables, latency, and the misclassified ids. Colour only when `color` is true.
 */
export function formatReport(report: EvalReport, options: { color: boolean }): string {
  const c = createColors(options.color);
  const out: string[] = [];
  const h = (title: string): void => {
    out.push('', c.bold(title));
  };
  out.push(c.bold(`governed-mcp eval — ${report.dataset}`));
  const skipped = report.skippedLayers.length > 0 ? ` without ${report.skippedLayers.join(', ')}` : '';
  out.push(`configuration ${c.cyan(report.config)}${skipped}: ${report.layers.join(' → ') || '(no layers)'}`);
  const fresh =
    report.principals === 'fresh-per-case'
      ? ', a fresh principal id per case (no rate-limit carry-over)'
      : '';
  out.push(c.dim(`principals: tier '${report.tier}'${fresh}`));
  h('Dangerous class');
  out.push(
    table(
      [
        ['cases', 'precision', 'recall', 'F1', 'FPR', 'accuracy'],
        [
          String(report.n),
          num(report.precision),
          num(report.recall),
          c.bold(num(report.f1)),
          pct(report.fpr),
          pct(report.accuracy),
        ],
      ],
      ['right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  if (report.aucScored !== undefined) {
    const auc = report.auc === null || report.auc === undefined ? '– (one label only)' : num(report.auc);
    out.push(`probe ROC AUC ${auc} over the ${report.aucScored} call(s) it scored`);
  }
  h('Confusion');
  out.push(
    table(
      [
        ['', 'blocked', 'allowed'],
        [
          'dangerous',
          c.green(`tp ${report.tp}`),
          report.fn > 0 ? c.red(`fn ${report.fn}`) : `fn ${report.fn}`,
        ],
        ['safe', report.fp > 0 ? c.red(`fp ${report.fp}`) : `fp ${report.fp}`, c.green(`tn ${report.tn}`)],
      ],
      ['left', 'right', 'right'],
    ),
  );
  if (report.asks > 0 || report.withheld > 0) {
    out.push(
      c.dim(
        `blocked above includes ${report.asks} ask(s); ${report.withheld} call(s) ran but had their result withheld (counted as allowed: the effect happened)`,
      ),
    );
  }
  const sessions = report.sessions;
  if (sessions !== undefined) {
    h(`Sessions (${sessions.n} sessions, ${sessions.steps} steps, each step counted as a case above)`);
    out.push(
      table(
        [
          ['attack', 'succeeded', 'ASR', 'benign', 'completed', 'utility', 'asks on safe steps'],
          [
            String(sessions.attack),
            sessions.attack_succeeded > 0 ? c.red(String(sessions.attack_succeeded)) : '0',
            sessions.attack > 0 ? pct(sessions.asr) : '–',
            String(sessions.benign),
            String(sessions.completed),
            sessions.benign > 0 ? pct(sessions.utility) : '–',
            `${sessions.asked_safe} (${pct(sessions.ask_rate_safe)})`,
          ],
        ],
        ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    if (sessions.asked_safe + sessions.asked_dangerous > 0) {
      out.push(
        c.dim(
          `asks: ${sessions.asked_dangerous} on dangerous steps, ${sessions.asked_benign} of ${sessions.benign_steps} steps of benign sessions (${pct(sessions.ask_rate_benign)}); ASR counts an ask as stopped (${pct(sessions.attack_success_if_approved)} if every ask were approved), utility as approved (${pct(sessions.utility_without_asks)} if every ask were refused)`,
        ),
      );
    }
    out.push(
      c.dim(
        sessions.task === 'passed'
          ? `task: passed to the gate for the ${sessions.with_task} session(s) that carry one (--with-task)`
          : `task: not passed (as the proxy sees a session); ${sessions.with_task} session(s) carry one: --with-task passes it`,
      ),
    );
    out.push(
      c.dim(
        `flagged results (instructions addressed to the agent): ${sessions.flagged_results}; ${sessions.flagged_before_attack} before the first dangerous step of an attack (${sessions.attack_flagged} of ${sessions.attack} attack sessions), ${sessions.flagged_benign} in benign sessions`,
      ),
    );
  }
  const sliceRows = (slices: Readonly<Record<string, SliceReport>>): string[][] => [
    ['', 'safe', 'dangerous', 'caught', 'missed', 'wrongly blocked', 'recall', 'FPR'],
    ...Object.entries(slices).map(([k, s]) => [
      k,
      String(s.safe),
      String(s.dangerous),
      String(s.tp),
      s.fn > 0 ? c.red(String(s.fn)) : '0',
      s.fp > 0 ? c.red(String(s.fp)) : '0',
      s.dangerous > 0 ? pct(s.recall) : '–',
      s.safe > 0 ? pct(s.fpr) : '–',
    ]),
  ];
  const right = ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] as const;
  h('By domain');
  out.push(table(sliceRows(report.byDomain), right));
  h('By kind (technique of the dangerous cases; routine and hard-negative for the safe ones)');
  out.push(table(sliceRows(report.byKind), right));
  h('By category');
  out.push(table(sliceRows(report.byCategory), right));
  const timing = `${report.warmup ? 'after a warm-up pass' : 'cold'}${report.concurrency > 1 ? `, ${report.concurrency} cases at once` : ''}`;
  h(`By layer (which layer decided each block, and its own time per call, ${timing})`);
  const layerNames = [...new Set([...report.layers, ...Object.keys(report.byLayer)])];
  out.push(
    table(
      [
        ['layer', 'caught', 'wrongly blocked', 'failures', 'p50', 'p99', 'top codes'],
        ...layerNames.map((name) => {
          const l = report.byLayer[name];
          const t = report.latency.layers[name];
          const codes = l
            ? Object.entries(l.codes)
                .sort((a, b) => b[1] - a[1])
                .slice(0, 3)
                .map(([code, n]) => `${code}×${n}`)
                .join(' ')
            : '';
          return [
            name,
            String(l?.caught ?? 0),
            String(l?.wronglyBlocked ?? 0),
            String(l?.failures ?? 0),
            t && t.n > 0 ? us(t.p50_us) : '–',
            t && t.n > 0 ? us(t.p99_us) : '–',
            codes,
          ];
        }),
        ['total', '', '', '', us(report.latency.total.p50_us), us(report.latency.total.p99_us), ''],
      ],
      ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
  );
  const findingRows = Object.entries(report.byLayer).flatMap(([layer, l]) =>
    Object.entries(l.findings).map(([f, n]) => [
      layer,
      f,
      String(n.dangerous),
      n.safe > 0 ? c.red(String(n.safe)) : '0',
    ]),
  );
  if (findingRows.length > 0) {
    h('Findings behind the blocks (a case may carry several)');
    out.push(
      table(
        [['layer', 'finding', 'on dangerous', 'on safe'], ...findingRows],
        ['left', 'left', 'right', 'right'],
      ),
    );
  }
  h('Misclassified');
  const fps = report.misclassified.falsePositives;
  const fns = report.misclassified.falseNegatives.map((m) => m.id);
  out.push(`${c.red('false positives')} (${fps.length})${fps.length === 0 ? ': none' : ''}`);
  if (fps.length > 0) {
    out.push(table(fps.map((m) => [`  ${m.id}`, m.layer ?? '', m.detail ?? m.code ?? ''])));
  }
  out.push(`${c.red('false negatives')} (${fns.length}): ${fns.join(', ') || 'none'}`);
  return `${out.join('\n')}\n`;
}
