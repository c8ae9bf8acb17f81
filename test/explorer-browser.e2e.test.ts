// The development explorer in a real browser (Chromium through playwright-core): it loads from the gateway alone,
// runs a query with the Authorization and x-purpose headers filled in, and breaks no rule of its CSP.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../db/seed/index.ts';
import { startTestSystem, type TestSystem } from './system.ts';

const CHROMIUM = '/usr/bin/chromium';

let t: TestSystem;
let userDataDir: string;
let browser: BrowserContext;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it when missing).`);
  }
  t = await startTestSystem();
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'pgw-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  browser.setDefaultTimeout(15_000);
});
afterAll(async () => {
  await browser?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  await t?.close();
});

interface Recorded {
  requests: Request[];
  consoleErrors: string[];
  violations: string[];
}

/** Opens a page that records every request, console error and CSP violation. */
async function openRecorded(): Promise<{ page: Page; recorded: Recorded }> {
  const page = await browser.newPage();
  const recorded: Recorded = { requests: [], consoleErrors: [], violations: [] };
  browser.on('request', (request) => recorded.requests.push(request));
  page.on('console', (message) => {
    if (message.type() === 'error') recorded.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => recorded.consoleErrors.push(error.message));
  await page.exposeFunction('__recordViolation', (text: string) => recorded.violations.push(text));
  // Runs in the page before its own scripts (Playwright injects it past the CSP); written as text, as it is browser code.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (event) => window.__recordViolation(event.violatedDirective + ' ' + event.blockedURI));",
  );
  return { page, recorded };
}

describe('the explorer in Chromium', () => {
  it('runs a query with the headers filled in, talks to the gateway alone, and breaks no CSP rule', async () => {
    const origin = new URL(t.system.gateway.url).origin;
    const token = await t.token({ role: 'candidate', sub: DEMO_IDS.candidate });
    const expected = await t.query('{ me { id fullName } }', { token, purpose: 'SERVICE_PROVISION' });
    const fullName = expected.body.data?.me?.fullName as string;
    expect(fullName).toBeTruthy();

    const { page, recorded } = await openRecorded();
    try {
      await page.goto(`${origin}/explorer`);
      // The headers editor is open from the start (the page asks for it); its template names both headers.
      const headers = page.locator('section.graphiql-editor-tool[aria-label="Headers"] .CodeMirror').filter({ visible: true });
      await expect.poll(() => headers.innerText(), { timeout: 15_000 }).toMatch(/"Authorization"[\s\S]*"x-purpose"/);
      await headers.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}`, 'x-purpose': 'SERVICE_PROVISION' }));
      await page.locator('.graphiql-execute-button').click();
      const result = page.locator('.result-window');
      await expect.poll(() => result.innerText(), { timeout: 15_000 }).toContain(DEMO_IDS.candidate);
      const shown = await result.innerText();
      expect(shown).toContain(fullName);
      expect(shown).not.toContain('"errors"');
    } catch (error) {
      // A page the CSP broke fails here; say what the browser refused.
      throw new Error(`${(error as Error).message}\nCSP violations: ${recorded.violations.join('; ') || 'none'}\nconsole errors: ${recorded.consoleErrors.join('; ') || 'none'}`);
    }

    const graphql = recorded.requests.filter((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/graphql');
    expect(graphql.length).toBeGreaterThan(0);
    const sent = graphql.at(-1)!.headers();
    expect(sent.authorization).toBe(`Bearer ${token}`);
    expect(sent['x-purpose']).toBe('SERVICE_PROVISION');
    // data: URLs (GraphiQL's inlined icons) are no network request; everything else is this gateway.
    const network = recorded.requests.map((r) => new URL(r.url())).filter((url) => url.protocol !== 'data:');
    expect(network.length).toBeGreaterThan(5);
    for (const url of network) expect(url.origin, url.href).toBe(origin);
    expect(recorded.violations).toEqual([]);
    expect(recorded.consoleErrors.filter((text) => /content security policy|refused to (load|execute|connect|apply)/i.test(text))).toEqual([]);
    await page.close();
  }, 60_000);
});
