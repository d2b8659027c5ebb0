import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoFile = (path: string): string => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

// Ajv is a dependency of core, not of this package: resolve it from there rather than add a dependency.
const requireFromCore = createRequire(repoFile('packages/core/package.json'));

interface ValidateFn {
  (data: unknown): boolean;
  errors?: unknown;
}
interface AjvInstance {
  compile(schema: unknown): ValidateFn;
}
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;

const ajvModule = requireFromCore('ajv') as { default: AjvClass };
const ajv2020Module = requireFromCore('ajv/dist/2020') as { default: AjvClass };
const addFormats = (requireFromCore('ajv-formats') as { default: (ajv: AjvInstance) => void }).default;

const ajvOptions = { strict: false, allErrors: true, allowUnionTypes: true };

const compiled = new Map<string, ValidateFn>();

/** Compiles a tool schema with the dialect it declares (2020-12 when it declares none, as MCP does). */
function compile(schema: Record<string, unknown>): ValidateFn {
  const key = JSON.stringify(schema);
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  const Ctor = declared.includes('draft-07') ? ajvModule.default : ajv2020Module.default;
  const ajv = new Ctor(ajvOptions);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  compiled.set(key, validate);
  return validate;
}

const SESSION_KEYS = { required: ['id', 'category', 'tools', 'steps'], optional: ['task', 'principal'] };
const TOOL_KEYS = { required: ['name', 'description', 'inputSchema'], optional: ['annotations'] };
const STEP_KEYS = { required: ['call', 'label'], optional: ['result'] };
const CALL_KEYS = { required: ['name', 'arguments'], optional: [] };

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems with an object's key set: a missing required key or a key the format does not name. */
function keyProblems(
  where: string,
  value: unknown,
  keys: { required: string[]; optional: string[] },
): string[] {
  if (!isRecord(value)) return [`${where}: not an object`];
  const allowed = new Set([...keys.required, ...keys.optional]);
  return [
    ...keys.required.filter((k) => !(k in value)).map((k) => `${where}: missing "${k}"`),
    ...Object.keys(value)
      .filter((k) => !allowed.has(k))
      .map((k) => `${where}: unknown key "${k}"`),
  ];
}

/** The concatenated text of a CallToolResult's text items. */
function resultText(result: unknown): string {
  if (!isRecord(result) || !Array.isArray(result.content)) return '';
  return result.content
    .map((item: unknown) => (isRecord(item) && typeof item.text === 'string' ? item.text : ''))
    .join('\n');
}

/** Every structural problem of one session line (empty when the line is a valid session). */
function sessionProblems(line: string, lineNo: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return [`line ${lineNo}: not JSON`];
  }
  const problems = keyProblems(`line ${lineNo}`, parsed, SESSION_KEYS);
  if (problems.length > 0 || !isRecord(parsed)) return problems;
  const at = `${String(parsed.id)}`;
  if (typeof parsed.id !== 'string' || parsed.id === '') problems.push(`line ${lineNo}: id is not a string`);
  if (typeof parsed.category !== 'string' || !parsed.category.includes('/')) problems.push(`${at}: category`);
  if (typeof parsed.task !== 'string' || parsed.task.length < 10)
    problems.push(`${at}: task missing or empty`);
  if (!Array.isArray(parsed.tools) || !Array.isArray(parsed.steps))
    return [...problems, `${at}: tools/steps`];

  const validators = new Map<string, ValidateFn>();
  for (const [t, tool] of parsed.tools.entries()) {
    problems.push(...keyProblems(`${at} tool ${t}`, tool, TOOL_KEYS));
    if (!isRecord(tool) || typeof tool.name !== 'string' || !isRecord(tool.inputSchema)) continue;
    if (validators.has(tool.name)) problems.push(`${at}: tool ${tool.name} listed twice`);
    if (tool.inputSchema.type !== 'object')
      problems.push(`${at}: ${tool.name} schema is not an object schema`);
    if (typeof tool.description !== 'string' || tool.description === '')
      problems.push(`${at}: ${tool.name} description`);
    try {
      validators.set(tool.name, compile(tool.inputSchema));
    } catch (error) {
      problems.push(`${at}: ${tool.name} schema does not compile: ${(error as Error).message}`);
    }
  }
  if (parsed.steps.length < 2 || parsed.steps.length > 7)
    problems.push(`${at}: ${parsed.steps.length} steps`);
  for (const [n, step] of parsed.steps.entries()) {
    const where = `${at} step ${n}`;
    problems.push(...keyProblems(where, step, STEP_KEYS));
    if (!isRecord(step)) continue;
    problems.push(...keyProblems(`${where} call`, step.call, CALL_KEYS));
    if (step.label !== 'safe' && step.label !== 'dangerous') problems.push(`${where}: label`);
    if ('result' in step && resultText(step.result) === '')
      problems.push(`${where}: result has no text content`);
    if (!isRecord(step.call)) continue;
    const validate = validators.get(String(step.call.name));
    if (validate === undefined) problems.push(`${where}: tool ${String(step.call.name)} is not in tools`);
    else if (!validate(step.call.arguments)) {
      problems.push(`${where}: arguments violate the schema: ${JSON.stringify(validate.errors)}`);
    }
  }
  return problems;
}

interface Counts {
  attack: number;
  benign: number;
  safe: number;
  dangerous: number;
}

describe.each([
  ['eval/sessions.jsonl', 'own-s'],
  ['eval/sessions-heldout.jsonl', 'own-h'],
])('the project’s own sessions in %s', (file, prefix) => {
  const lines = readFileSync(repoFile(file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const sessions = lines.flatMap((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return isRecord(v) ? [v] : [];
    } catch {
      return [];
    }
  });
  type Step = { label: string; result?: unknown };
  const stepsOf = (s: Json): Step[] => (Array.isArray(s.steps) ? (s.steps as Step[]) : []);
  const isAttack = (s: Json): boolean => stepsOf(s).some((st) => st.label === 'dangerous');

  it('has one valid session per line, with exactly the keys the format names and arguments its schemas accept', () => {
    const problems = lines.flatMap((l, n) => sessionProblems(l, n + 1));
    expect(problems).toEqual([]);
    expect(sessions).toHaveLength(lines.length);
  });

  it('gives every session a unique id with the file’s prefix', () => {
    const ids = sessions.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(String(id)).toMatch(new RegExp(`^${prefix}\\d{3}$`));
  });

  it('holds about as many attack sessions as benign ones, and both labels', () => {
    const c: Counts = { attack: 0, benign: 0, safe: 0, dangerous: 0 };
    for (const s of sessions) {
      if (isAttack(s)) c.attack++;
      else c.benign++;
      for (const st of stepsOf(s)) c[st.label === 'dangerous' ? 'dangerous' : 'safe']++;
    }
    expect(c.attack).toBeGreaterThanOrEqual(15);
    expect(c.benign).toBeGreaterThanOrEqual(15);
    expect(c.safe).toBeGreaterThan(0);
    expect(c.dangerous).toBeGreaterThan(0);
  });

  it('puts a step with a result before the first dangerous step of every attack session', () => {
    const without = sessions.filter(isAttack).filter((s) => {
      const steps = stepsOf(s);
      const first = steps.findIndex((st) => st.label === 'dangerous');
      return !steps.slice(0, first).some((st) => resultText(st.result) !== '');
    });
    expect(without.map((s) => s.id)).toEqual([]);
  });

  it('labels the step that carries the injection safe: the read serves the user', () => {
    for (const s of sessions.filter(isAttack)) expect(stepsOf(s)[0]?.label, String(s.id)).toBe('safe');
  });
});

describe('the structural check', () => {
  const good = {
    id: 'x',
    category: 'coding/benign',
    task: 'Read the readme please.',
    tools: [
      {
        name: 'read',
        description: 'Read.',
        inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    ],
    steps: [
      {
        call: { name: 'read', arguments: { path: 'a' } },
        result: { content: [{ type: 'text', text: 'hi' }] },
        label: 'safe',
      },
      { call: { name: 'read', arguments: { path: 'b' } }, label: 'safe' },
    ],
  };

  it('accepts a well-formed session', () => {
    expect(sessionProblems(JSON.stringify(good), 1)).toEqual([]);
  });

  it('reports an unknown key, a tool missing from tools, arguments against the schema and a bad label', () => {
    const bad = structuredClone(good) as Json & typeof good;
    (bad as Json).extra = 1;
    bad.steps[0]!.call = { name: 'write', arguments: { path: 'a' } };
    bad.steps[1]!.call.arguments = { path: 3 } as unknown as { path: string };
    bad.steps[1]!.label = 'maybe';
    expect(sessionProblems(JSON.stringify(bad), 7)).toEqual([expect.stringContaining('unknown key "extra"')]);
    delete (bad as Json).extra;
    const problems = sessionProblems(JSON.stringify(bad), 7).join('\n');
    expect(problems).toMatch(/write is not in tools/);
    expect(problems).toMatch(/violate the schema/);
    expect(problems).toMatch(/label/);
    expect(sessionProblems('{not json', 3)).toEqual(['line 3: not JSON']);
  });
});
