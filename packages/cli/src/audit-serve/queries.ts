import type { AuditData, StoredRecord } from './data.js';

/** The most records one `/api/records` page returns. */
export const MAX_PAGE = 500;

type Obj = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The call of a decision record (`data.call`), or an empty object. */
const callOf = (r: StoredRecord): Obj => obj(r.data.call);
/** A decision's outcome, an outcome record's status, or an answer's verdict. */
export function outcomeOf(r: StoredRecord): string | undefined {
  if (r.type === 'decision') return str(obj(r.data.decision).outcome);
  if (r.type === 'outcome') return str(r.data.status);
  if (r.type === 'answer') return str(r.data.verdict);
  return undefined;
}
const toolOf = (r: StoredRecord): string | undefined => str(callOf(r).tool) ?? str(r.data.tool);

/** A record as the list shows it. */
export interface RecordRow {
  readonly file: number;
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly tool?: string;
  readonly outcome?: string;
  readonly sessionId?: string;
  readonly data: Obj;
}

function row(r: StoredRecord): RecordRow {
  const tool = toolOf(r);
  const outcome = outcomeOf(r);
  const sessionId = str(callOf(r).sessionId);
  return {
    file: r.file,
    seq: r.seq,
    ts: r.ts,
    type: r.type,
    ...(tool === undefined ? {} : { tool }),
    ...(outcome === undefined ? {} : { outcome }),
    ...(sessionId === undefined ? {} : { sessionId }),
    data: r.data,
  };
}

/** The filters of `/api/records`. */
export interface RecordQuery {
  /** Case-insensitive text searched in the record's type and data. */
  readonly q?: string;
  readonly type?: string;
  readonly outcome?: string;
  readonly offset?: number;
  readonly limit?: number;
}

/** Filters the records and returns one page (at most {@link MAX_PAGE}) and the number that matched. */
export function queryRecords(
  data: AuditData,
  query: RecordQuery,
): { total: number; offset: number; limit: number; items: RecordRow[] } {
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(query.limit ?? 50)));
  const q = query.q?.toLowerCase() ?? '';
  const items: RecordRow[] = [];
  let total = 0;
  for (const r of data.records) {
    if (query.type !== undefined && query.type !== '' && r.type !== query.type) continue;
    if (query.outcome !== undefined && query.outcome !== '' && outcomeOf(r) !== query.outcome) continue;
    if (q !== '' && !`${r.type} ${JSON.stringify(r.data)}`.toLowerCase().includes(q)) continue;
    if (total >= offset && items.length < limit) items.push(row(r));
    total++;
  }
  return { total, offset, limit, items };
}

/** The value at quantile `p` (0..1) of sorted numbers, nearest rank. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/** What the charts draw. */
export interface AuditStats {
  /** Decisions per minute (`YYYY-MM-DDTHH:MM`) by outcome, oldest first. */
  readonly timeline: readonly {
    readonly minute: string;
    readonly counts: Readonly<Record<string, number>>;
  }[];
  /** Each layer's own time in µs over the decisions it took part in. */
  readonly latency: readonly {
    readonly layer: string;
    readonly n: number;
    readonly p50: number;
    readonly p95: number;
  }[];
  readonly topDeniedTools: readonly { readonly name: string; readonly count: number }[];
  /** Reasons of deny and ask decisions, as `layer/code`. */
  readonly topReasons: readonly { readonly name: string; readonly count: number }[];
  readonly decisions: number;
}

function top(counts: Map<string, number>, n: number): { name: string; count: number }[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([name, count]) => ({ name, count }));
}
const bump = (m: Map<string, number>, k: string): void => {
  m.set(k, (m.get(k) ?? 0) + 1);
};

/** Decisions over time, latency per layer (p50/p95), top denied tools and top reason codes. */
export function computeStats(data: AuditData, topN = 10): AuditStats {
  const minutes = new Map<string, Record<string, number>>();
  const layers = new Map<string, number[]>();
  const denied = new Map<string, number>();
  const reasons = new Map<string, number>();
  let decisions = 0;
  for (const r of data.records) {
    if (r.type !== 'decision') continue;
    decisions++;
    const outcome = outcomeOf(r) ?? 'unknown';
    const minute = r.ts.slice(0, 16);
    const counts = minutes.get(minute) ?? {};
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    minutes.set(minute, counts);
    for (const t of Array.isArray(r.data.layers) ? r.data.layers : []) {
      const layer = str(obj(t).layer);
      const us = obj(t).us;
      if (layer === undefined || typeof us !== 'number' || !Number.isFinite(us)) continue;
      const list = layers.get(layer) ?? [];
      list.push(us);
      layers.set(layer, list);
    }
    if (outcome === 'deny') bump(denied, toolOf(r) ?? '(no tool)');
    if (outcome === 'deny' || outcome === 'ask') {
      const rs = obj(r.data.decision).reasons;
      for (const reason of Array.isArray(rs) ? rs : []) {
        bump(reasons, `${str(obj(reason).layer) ?? '?'}/${str(obj(reason).code) ?? '?'}`);
      }
    }
  }
  return {
    timeline: [...minutes]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([minute, counts]) => ({ minute, counts })),
    latency: [...layers].map(([layer, us]) => {
      const sorted = us.sort((a, b) => a - b);
      return { layer, n: sorted.length, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
    }),
    topDeniedTools: top(denied, topN),
    topReasons: top(reasons, topN),
    decisions,
  };
}

/** One session in the list. */
export interface SessionRow {
  readonly id: string;
  readonly steps: number;
  readonly denies: number;
  readonly asks: number;
  readonly firstTs: string;
  readonly lastTs: string;
}

/** Sessions (by `data.call.sessionId` of decisions), most recent first. */
export function listSessions(data: AuditData): SessionRow[] {
  const rows = new Map<
    string,
    { steps: number; denies: number; asks: number; firstTs: string; lastTs: string }
  >();
  for (const r of data.records) {
    if (r.type !== 'decision') continue;
    const id = str(callOf(r).sessionId) ?? '(no session)';
    const s = rows.get(id) ?? { steps: 0, denies: 0, asks: 0, firstTs: r.ts, lastTs: r.ts };
    s.steps++;
    if (outcomeOf(r) === 'deny') s.denies++;
    if (outcomeOf(r) === 'ask') s.asks++;
    s.lastTs = r.ts;
    rows.set(id, s);
  }
  return [...rows].map(([id, s]) => ({ id, ...s })).sort((a, b) => b.lastTs.localeCompare(a.lastTs));
}

/** One step of a session: its decision and what followed it (the outcome, a person's answer). */
export interface SessionStep {
  readonly decision: RecordRow;
  readonly outcome?: RecordRow;
  readonly answer?: RecordRow;
}

/** The steps of one session, in order; undefined when no decision carries that session id. */
export function sessionDetail(data: AuditData, id: string): SessionStep[] | undefined {
  const steps: { decision: RecordRow; outcome?: RecordRow; answer?: RecordRow }[] = [];
  const bySeq = new Map<string, (typeof steps)[number]>();
  for (const r of data.records) {
    if (r.type === 'decision' && (str(callOf(r).sessionId) ?? '(no session)') === id) {
      const step = { decision: row(r) };
      steps.push(step);
      bySeq.set(`${r.file}:${r.seq}`, step);
    } else if (r.type === 'outcome' || r.type === 'answer') {
      const step = bySeq.get(`${r.file}:${String(r.data.ref)}`);
      if (step !== undefined) step[r.type] = row(r);
    }
  }
  return steps.length === 0 ? undefined : steps;
}
