// Browser test of the built-in web chat: Debian's chromium driven by
// playwright-core. Starts the real kontobot binary on a free loopback port
// with a temporary database and, for each of the five organisations, picks
// the requester in the people list and completes a registration by clicking
// the bot's buttons and typing into the composer, as a person would. The
// API is read only as the test's oracle (which kind of answer is asked for);
// every action goes through the page. Writes screenshots to
// tests/browser/artifacts/ (the README's screenshot comes from here).
//
// Usage: node registration.test.mjs path/to/kontobot
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { accessibilityViolations } from './accessibility.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const binary = process.argv[2];
assert.ok(binary, 'usage: node registration.test.mjs path/to/kontobot');

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'kontobot-browser-'));
const base = `http://127.0.0.1:${port}`;
const bot = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--db', join(dir, 'kontobot.db'),
  '--templates', join(root, 'config/templates'), '--messages', join(root, 'config/messages'),
  '--directory', join(root, 'config/directory.yaml'), '--log-level', 'warn'], { stdio: 'inherit' });

let browser;
let failures = 0;
let passes = 0;
const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('kontobot did not start');
}

// What the last bot message asks for, from the API (the oracle).
async function lastAsk(person) {
  const r = await (await fetch(`${base}/api/messages?person=${person}&after=0`)).json();
  const out = r.messages.filter((m) => m.direction === 'out');
  return out[out.length - 1];
}

function answerFor(input) {
  switch (input.type) {
    case 'url': return 'www.facebook.com/exempelsidan';
    case 'email': return 'sociala.medier.exempel@example.org';
    case 'number': return String(Math.max(1, Math.ceil(input.min ?? 1)) + 1);
    case 'yes_no': return 'ja';
    case 'person': return 'Anna Andersson, anna.andersson@example.org';
    case 'people': return 'Anna Andersson, anna.andersson@example.org\nBertil Berg, 070-123 45 67\nCecilia Ceder, cecilia@example.org';
    case 'schedule': return 'vardagar 8–17, lör 10–12';
    default: return 'Information om verksamheten till invånarna';
  }
}

async function outCount(page) {
  return page.locator('#messages .msg[data-direction="out"]').count();
}

// Performs `act` and waits until the bot's reply is on the page.
async function andWaitForReply(page, act) {
  const before = await outCount(page);
  await act();
  await page.waitForFunction((n) => document.querySelectorAll('#messages .msg[data-direction="out"]').length > n,
    before, { timeout: 10000 });
}

async function type(page, text) {
  await andWaitForReply(page, async () => {
    await page.fill('#composer-input', text);
    await page.click('#composer-send');
  });
}

async function clickButton(page, label) {
  const button = page.locator('#messages .msg').last().locator('button.msg-button', { hasText: label }).first();
  await andWaitForReply(page, () => button.click());
}

async function test(name, fn) {
  try {
    await fn();
    passes++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
  }
}

const requesters = { dalarna: 'dal-karin', gislaved: 'gis-anna', sll: 'sll-nina', smc: 'smc-mats', trosa: 'tro-sofia' };

try {
  await waitForServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // A name of an attacker's that resolves to this machine (DNS rebinding).
      '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
  });

  for (const [org, person] of Object.entries(requesters)) {
    await test(`${org}: a requester registers an account in the browser`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(base);
      await page.click(`#people button[data-person-id="${person}"]`);
      await page.waitForSelector('#messages .msg[data-direction="out"] button.msg-button[data-action-id="new"]');
      await clickButton(page, (await page.locator('button.msg-button[data-action-id="new"]').first().innerText()).trim());
      for (let i = 0; i < 80; i++) {
        const ask = await lastAsk(person);
        const input = ask.input || {};
        if (!input.kind) break;
        if (input.kind === 'advice') {
          await andWaitForReply(page, () => page.locator('#messages .msg').last()
            .locator('button.msg-button[data-action-id="ack"]').click());
        } else if (input.type === 'choice' || input.type === 'yes_no') {
          await andWaitForReply(page, () => page.locator('#messages .msg').last()
            .locator('button.msg-button[data-action-id="answer"]').first().click());
        } else {
          await type(page, answerFor(input));
        }
        if (org === 'gislaved' && i === 6) await page.screenshot({ path: join(artifacts, 'webchat.png') });
      }
      const summary = await page.locator('#messages .msg').last().innerText();
      assert.match(summary, /Sammanfattning av anmälan nr \d+/);
      await andWaitForReply(page, () => page.locator('#messages .msg').last()
        .locator('button.msg-button[data-action-id="submit"]').click());
      await page.waitForFunction(() => /är inskickad/.test(document.querySelector('#messages').innerText));
      if (org === 'dalarna') await page.screenshot({ path: join(artifacts, 'webchat-submitted.png') });
      await page.close();
    });
  }

  await test('the transcript and an invalid answer render, and errors keep the typed text', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/#person=gis-lisa`);
    await page.waitForSelector('#messages .msg[data-direction="out"]');
    await clickButton(page, 'Anmäl nytt konto');
    await clickButton(page, 'Jag har tagit del');
    await type(page, 'Myspace2');
    const text = await page.locator('#messages .msg').last().innerText();
    assert.match(text, /Välj ett alternativ|Välj ett av alternativen|webbadress|Uppfattat/);
    await page.screenshot({ path: join(artifacts, 'webchat-phone.png') });
    await page.close();
  });

  await test('the approver approves with a button, and the buttons give way to the decision', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${base}/#person=gis-per`);
    const request = page.locator('#messages .msg', { has: page.locator('button.msg-button[data-action-id="approve"]') }).last();
    await request.waitFor();
    const id = await request.getAttribute('data-id');
    assert.match(await request.innerText(), /Godkännande begärs: anmälan nr \d+/);
    await page.screenshot({ path: join(artifacts, 'webchat-approval.png') });
    await request.locator('button.msg-button[data-action-id="approve"]').click();
    // The request is rewritten in place (picked up by polling): decision in, buttons out.
    const decided = page.locator(`#messages .msg[data-id="${id}"]`);
    await page.waitForFunction((msgId) => {
      const m = document.querySelector(`#messages .msg[data-id="${msgId}"]`);
      return m && /Godkänd av Per Ek/.test(m.innerText) && !m.querySelector('button.msg-button');
    }, id, { timeout: 15000 });
    assert.equal(await decided.locator('button.msg-button').count(), 0);
    await page.screenshot({ path: join(artifacts, 'webchat-approved.png') });
    // The deputy's copy of the request is closed too.
    await page.goto(`${base}/#person=gis-kim`);
    await page.waitForFunction(() => /Godkänd av Per Ek/.test(document.querySelector('#messages').innerText),
      null, { timeout: 10000 });
    assert.equal(await page.locator('#messages button.msg-button[data-action-id="approve"]').count(), 0);
    // The second step of Gislaved's chain: the förvaltningschef.
    await page.goto(`${base}/#person=gis-eva`);
    const second = page.locator('#messages .msg', { has: page.locator('button.msg-button[data-action-id="approve"]') }).last();
    await second.waitFor();
    await andWaitForReply(page, () => second.locator('button.msg-button[data-action-id="approve"]').click());
    await page.close();
  });

  await test('a page on another site cannot post as anyone (issue 14)', async () => {
    // The reported attack: a page open in the same browser posts to the web
    // chat, as text/plain (no preflight) and as JSON (which needs one).
    const marker = 'posted by another site';
    const attackPage = `<!doctype html><title>other site</title><script>
      const body = JSON.stringify({ person: 'gis-per', text: '${marker}' });
      window.results = Promise.allSettled([
        fetch('${base}/api/messages', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body }),
        fetch('${base}/api/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
      ]).then((r) => r.map((x) => x.status));
    </script>`;
    const other = createHttpServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }); res.end(attackPage); });
    const otherPort = await freePort();
    await new Promise((r) => other.listen(otherPort, '127.0.0.1', r));
    try {
      const page = await browser.newPage();
      await page.goto(`http://localhost:${otherPort}/`);
      const statuses = await page.evaluate(() => window.results);
      assert.equal(statuses[1], 'rejected', 'the JSON post got past its preflight');
      await page.close();
    } finally {
      other.close();
    }
    const r = await (await fetch(`${base}/api/messages?person=gis-per&after=0`)).json();
    assert.ok(!r.messages.some((m) => m.text.includes(marker)), 'the other page posted as gis-per');
  });

  await test('a name that resolves to this machine reads nothing (DNS rebinding, issue 14)', async () => {
    const page = await browser.newPage();
    const port = new URL(base).port;
    for (const path of ['/', '/api/messages?person=gis-anna&after=0']) {
      const response = await page.goto(`http://rebind.test:${port}${path}`);
      assert.equal(response.status(), 403, path);
      assert.doesNotMatch(await response.text(), /anmälan/i, path);
    }
    await page.close();
  });

  await test('the public register lists an approved account once its page is created', async () => {
    let r = await (await fetch(`${base}/register.json`)).json();
    assert.equal(r.accounts.length, 0, 'approved, but the page does not exist yet');
    // Anna confirms the start-up step that creates the page (Gislaved's
    // Checklista 2): from then on the account is public.
    const anna = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await anna.goto(`${base}/#person=gis-anna`);
    const step = anna.locator('#messages .msg', { hasText: 'Lägg upp ett användarkonto', has: anna.locator('button.msg-button[data-action-id="done"]') }).last();
    await step.waitFor();
    await andWaitForReply(anna, () => step.locator('button.msg-button[data-action-id="done"]').click());
    await anna.close();
    r = await (await fetch(`${base}/register.json`)).json();
    assert.equal(r.accounts.length, 1);
    assert.equal(r.accounts[0].organisation, 'gislaved');
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/register`);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.ok(await page.locator('h1').count() === 1);
    assert.equal(await page.locator('table tbody tr').count(), 1);
    assert.match(await page.locator('table').innerText(), /facebook\.com\/exempelsidan/);
    await page.screenshot({ path: join(artifacts, 'register-phone.png'), fullPage: true });
    await page.close();
  });

  await test('the page has a language attribute and switches to English', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    await page.click('[data-lang="en"]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.close();
  });

  await test('the page opens in the language the person chose, on another device and after a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/#person=tro-info`);
    await page.waitForSelector('#messages .msg[data-direction="out"]');
    await andWaitForReply(page, () => page.click('[data-lang="en"]'));  // tells the bot
    await page.close();
    // A new browser context: nothing kept in this browser; the server knows.
    const other = await browser.newPage();
    await other.goto(`${base}/#person=tro-info`);
    await other.waitForSelector('#messages .msg[data-direction="out"]');
    await other.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: 10000 });
    await other.close();
  });

  await test('the information function sets a diarienummer on the desk, in its own form', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/desk?person=gis-info`);
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.match(await page.locator('header').innerText(), /Demo/);
    await page.screenshot({ path: join(artifacts, 'desk-phone.png'), fullPage: true });
    // Gislaved's registration of the tests above, in the open cases or the register.
    await page.locator('main a[href^="/desk/case/"]').first().click();
    await page.waitForURL(/\/desk\/case\/\d+\?person=gis-info$/);
    await page.fill('#number', 'KS 2026/0042');
    // The browser sends the form with its Origin and Sec-Fetch-Site, which
    // the desk checks; a refusal would stay on .../diary.
    await page.click('form.diary button[type=submit]');
    await page.waitForURL(/\/desk\/case\/\d+\?person=gis-info$/);
    assert.match(await page.locator('dl').innerText(), /KS 2026\/0042/);
    await page.close();
  });

  // The accessibility law (lagen om tillgänglighet till digital offentlig
  // service) binds the organisations to WCAG 2.1 AA: every desk page, in
  // both languages and on a phone and a desktop, with axe-core's rules.
  await test('every desk page has no WCAG 2.1 AA violation that axe-core finds', async () => {
    for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 900 }]) {
      // The pages' Content-Security-Policy allows no script of their own;
      // this context lets the test inject axe-core.
      const context = await browser.newContext({ viewport, bypassCSP: true });
      const page = await context.newPage();
      const visited = [];
      for (const lang of ['sv', 'en']) {
        await page.goto(`${base}/desk?person=gis-info&lang=${lang}`);
        visited.push(page.url());
        const caseLink = await page.locator('main a[href^="/desk/case/"]').first().getAttribute('href');
        const id = caseLink.match(/\/desk\/case\/(\d+)/)[1];
        for (const path of [`/desk/case/${id}`, `/desk/case/${id}/dossier`,
          `/desk/case/${id}/dossier?masked=1`]) {
          visited.push(`${base}${path}${path.includes('?') ? '&' : '?'}person=gis-info&lang=${lang}`);
        }
        visited.push(`${base}/desk?lang=${lang}`);  // the demo's picker
        visited.push(`${base}/desk?person=gis-anna&lang=${lang}`);  // a refusal page
      }
      for (const url of visited) {
        await page.goto(url);
        const violations = await accessibilityViolations(page);
        assert.deepEqual(violations, [], `${url} at ${viewport.width}px`);
      }
      await context.close();
    }
  });

  await test('the desk works from the keyboard alone: skip link, case, diarienummer', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/desk?person=gis-info`);
    // The first Tab reaches the skip link, which moves past the header.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.getAttribute('href'));
    assert.equal(first, '#main');
    // Tab on to the first case link and open it with Enter.
    for (let i = 0; i < 40; i++) {
      const href = await page.evaluate(() => document.activeElement.getAttribute('href') || '');
      if (href.startsWith('/desk/case/')) break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/desk\/case\/\d+\?person=gis-info$/);
    // Tab to the number field; type; Enter submits the form.
    for (let i = 0; i < 40; i++) {
      if (await page.evaluate(() => document.activeElement.id) === 'number') break;
      await page.keyboard.press('Tab');
    }
    assert.equal(await page.evaluate(() => document.activeElement.id), 'number');
    // A visible focus: the focused field draws an outline or a ring.
    const focusStyle = await page.evaluate(() => {
      const st = getComputedStyle(document.activeElement);
      return `${st.outlineStyle} ${st.outlineWidth} ${st.boxShadow}`;
    });
    assert.ok(!/^none 0px none$/.test(focusStyle), `no visible focus: ${focusStyle}`);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('KS 2026/0077');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/desk\/case\/\d+\?person=gis-info$/);
    assert.match(await page.locator('dl').innerText(), /KS 2026\/0077/);
    await page.screenshot({ path: join(artifacts, 'desk-case.png') });
    await page.goto(`${base}/desk?person=gis-info`);
    await page.screenshot({ path: join(artifacts, 'desk.png') });
    await page.close();
  });
} catch (e) {
  failures++;
  console.log(`not ok - setup\n  ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
  bot.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
