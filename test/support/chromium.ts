/**
 * Headless Chromium driven over the DevTools protocol, for the review UI's browser tests: find
 * the browser (tests skip without one), open a page, evaluate expressions in it, wait for a
 * condition, and collect script errors and CSP violations. The browser and its profile are gone
 * afterwards.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0);

export interface Cdp {
  evaluate(expression: string): Promise<unknown>;
  readonly problems: string[];
  close(): void;
}

/**
 * The DevTools port the browser chose: asked for port 0, it writes the port it listens on as the
 * first line of `DevToolsActivePort` in its profile — so it never picks one another test's server
 * holds, as a port drawn at random could be.
 */
async function devToolsPort(profile: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const port = Number((await readFile(join(profile, 'DevToolsActivePort'), 'utf8').catch(() => '')).split('\n')[0]);
    if (Number.isInteger(port) && port > 0) return port;
    await sleep(100);
  }
  assert.fail('Chromium never said which DevTools port it listens on');
}

async function connect(profile: string): Promise<Cdp> {
  const port = await devToolsPort(profile);
  let targets: { type: string; webSocketDebuggerUrl: string }[] = [];
  for (let i = 0; i < 100 && targets.length === 0; i++) {
    try {
      targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as typeof targets;
    } catch {
      await sleep(100);
    }
  }
  const page = targets.find((t) => t.type === 'page');
  assert.ok(page !== undefined, 'a browser page to drive');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  let next = 0;
  const pending = new Map<number, (v: { result?: { result?: { value?: unknown } } }) => void>();
  const problems: string[] = [];
  ws.addEventListener('message', (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; method?: string; params?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg as never);
    else if (msg.method === 'Runtime.exceptionThrown' || msg.method === 'Log.entryAdded') problems.push(JSON.stringify(msg.params).slice(0, 400));
  });
  const send = (method: string, params: object = {}) =>
    new Promise<{ result?: { result?: { value?: unknown } } }>((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Runtime.enable');
  await send('Log.enable');
  return {
    problems,
    async evaluate(expression) {
      const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      return r.result?.result?.value;
    },
    close: () => ws.close(),
  };
}

/**
 * Wait until `expression` is true in the page. Up to 30 s: a browser and the server it talks to
 * sharing two loaded CPUs with other test files can take several seconds to render a page.
 */
export async function until(cdp: Cdp, expression: string, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await cdp.evaluate(expression)) === true) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/**
 * Headless Chromium on the review UI at `url`, driven over the DevTools protocol: `body` gets the
 * page once it shows the login prompt; the browser and its profile are gone afterwards.
 */
export async function inChromium(url: string, body: (cdp: Cdp) => Promise<void>): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'airlock-chromium-'));
  const chrome = spawn(CHROMIUM as string, ['--headless=new', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--remote-debugging-port=0', `${url}/-/ui/`], { stdio: 'ignore' });
  let cdp: Cdp | null = null;
  try {
    cdp = await connect(profile);
    await until(cdp, `document.readyState === 'complete' && document.getElementById('status').textContent.includes('enter an API token')`, 'the login prompt');
    await body(cdp);
    assert.deepEqual(cdp.problems, [], 'no script errors or CSP violations');
  } finally {
    cdp?.close();
    if (chrome.exitCode === null && chrome.signalCode === null) {
      const exited = new Promise((resolve) => chrome.once('exit', resolve));
      chrome.kill();
      await exited;
    }
    await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  }
}

