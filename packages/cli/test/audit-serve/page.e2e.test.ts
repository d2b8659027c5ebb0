import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { HOSTILE, writeGateLog } from './fixture.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const artifacts = join(root, 'test-artifacts', 'audit-serve');
const dir = mkdtempSync(join(tmpdir(), 'gmcp-serve-page-'));
const log = join(dir, 'audit.jsonl');
const tampered = join(dir, 'tampered.jsonl');

const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => p !== undefined && p !== '' && existsSync(p),
);
let browser: Browser | undefined;
let skipReason = executablePath === undefined ? 'no Chromium (set CHROMIUM_PATH or install chromium)' : '';

/** Starts `audit serve` from sources and resolves with its URL (from the `listening` JSON line). */
function serve(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@governed-mcp/source', '--import', 'tsx', main, 'audit', 'serve', file, '--json'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      for (const line of err.split('\n')) {
        if (!line.startsWith('{')) continue;
        const ev = JSON.parse(line) as { event?: string; url?: string };
        if (ev.event === 'listening' && ev.url !== undefined) resolve({ child, url: ev.url });
      }
    });
    child.on('exit', (code) => reject(new Error(`audit serve exited ${code}: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function open(page: Page, url: string, view: string): Promise<void> {
  await page.goto(`${url}#${view}`);
  await page.waitForSelector(`body[data-ready="${view.startsWith('session=') ? 'session' : view}"]`);
}

beforeAll(async () => {
  await writeGateLog(log);
  writeFileSync(tampered, readFileSync(log, 'utf8').replace('notes/todo.md', 'notes/done.md'));
  mkdirSync(artifacts, { recursive: true });
  if (executablePath === undefined) return;
  try {
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  } catch (err) {
    skipReason = `Chromium did not start: ${(err as Error).message.split('\n')[0]}`;
  }
});
afterAll(async () => {
  await browser?.close();
});

describe('audit serve, in a real browser', () => {
  it('shows every view of a real log, with hostile records as text, and exits 0 on SIGTERM', async (ctx) => {
    if (browser === undefined) return ctx.skip(skipReason);
    const { child, url } = await serve(log);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      const t0 = Date.now();
      await open(page, url, 'overview');
      const wall = Date.now() - t0;
      // Runs in the page (a string: this project's TypeScript has no DOM types).
      const timing = (await page.evaluate(`(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/'));
        return { load: nav.loadEventEnd - nav.startTime, dom: nav.domContentLoadedEventEnd - nav.startTime,
          api: api.map((e) => [new URL(e.name).pathname, e.duration]) };
      })()`)) as { load: number; dom: number; api: [string, number][] };
      console.log(
        `audit serve page: load ${timing.load.toFixed(1)} ms, DOMContentLoaded ${timing.dom.toFixed(1)} ms, overview ready ${wall} ms; API: ${timing.api.map(([p, d]) => `${p} ${d.toFixed(1)} ms`).join(', ')}`,
      );
      await expect(page.locator('#overview-body').textContent()).resolves.toContain('verified');
      await page.screenshot({ path: join(artifacts, 'overview.png'), fullPage: true });

      for (const view of ['timeline', 'latency', 'top']) {
        await open(page, url, view);
        await page.screenshot({ path: join(artifacts, `${view}.png`), fullPage: true });
      }
      expect(await page.locator('#view-top table').first().textContent()).toContain('delete_file');
      await open(page, url, 'latency');
      expect(await page.locator('#latency-body svg rect').count()).toBeGreaterThan(1);

      await open(page, url, 'records');
      await page.fill('#q', 'notes/todo');
      await page.click('button[type=submit]');
      await page.locator('#records-count', { hasText: /^Records 1–1 of 1$/ }).waitFor();
      expect(await page.locator('#records-body').textContent()).toContain('notes/todo.md');
      await page.screenshot({ path: join(artifacts, 'records.png'), fullPage: true });

      await page.fill('#q', 'onerror');
      await page.click('button[type=submit]');
      await page.locator('#records-body', { hasText: 'onerror' }).waitFor();
      expect(await page.locator('#records-count').textContent()).toBe('Records 1–1 of 1');
      expect(await page.locator('#records-body pre').first().textContent()).toContain('<img src=x onerror=');
      expect(await page.locator('#records-body img, #records-body script').count()).toBe(0);

      await open(page, url, 'session=s-alpha');
      const steps = await page.locator('#session-body tbody tr').allTextContents();
      expect(steps).toHaveLength(3);
      expect(steps.join('\n')).toMatch(/read_file[\s\S]*delete_file[\s\S]*run_shell/);
      await page.screenshot({ path: join(artifacts, 'session.png'), fullPage: true });

      await open(page, url, 'session=s-hostile');
      expect(await page.locator('#session-body').textContent()).toContain('echo');
      await open(page, url, 'records');
      await page.fill('#q', 'script');
      await page.click('button[type=submit]');
      await page.waitForSelector('#records-body pre');
      expect(await page.locator('#records-body').textContent()).toContain(
        JSON.stringify(HOSTILE).slice(1, 20),
      );
      expect(await page.locator('main img, main script').count()).toBe(0);
      expect(await page.title()).not.toBe('pwned');
      expect(dialogs).toEqual([]);
      const calls = (await page.evaluate(
        `performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/')).map((e) => new URL(e.name).pathname + ' ' + e.duration.toFixed(1) + ' ms')`,
      )) as string[];
      console.log(`audit serve API calls of this page: ${calls.join(', ')}`);
    } finally {
      await page.close();
      expect(await stop(child)).toBe(0);
    }
  });

  it('shows a tampered log as broken, naming the first bad record', async (ctx) => {
    if (browser === undefined) return ctx.skip(skipReason);
    const { child, url } = await serve(tampered);
    const page = await browser.newPage();
    try {
      await open(page, url, 'overview');
      expect(await page.locator('#overview-body .bad').first().textContent()).toMatch(
        /^BROKEN at record 2 \(line 2\): hash_mismatch/,
      );
      await page.screenshot({ path: join(artifacts, 'tampered.png'), fullPage: true });
    } finally {
      await page.close();
      expect(await stop(child)).toBe(0);
    }
  });
});

describe('audit serve, its arguments', () => {
  it('refuses a non-loopback address without --allow-remote (exit 2) and a missing file (exit 2)', async () => {
    const remote = await runCli(['audit', 'serve', log, '--listen', '0.0.0.0:0']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('--allow-remote');
    expect((await runCli(['audit', 'serve', join(dir, 'nope.jsonl')])).code).toBe(2);
    expect((await runCli(['audit', 'serve', log, '--listen', 'nonsense'])).code).toBe(2);
  });
});
