// Headless Chromium signs in through nginx (tests/e2e/nginx_test.cc starts
// nginx with the shipped configuration, auth_basic standing in for the
// identity provider) and works the desk as the information function:
// the overview, a case, its masked dossier, the diarienummer form; every
// page with no WCAG 2.1 AA violation axe-core finds; screenshots in
// tests/browser/artifacts/. Then someone signed in without the role, who
// gets the refusal page. Exit code 0 when all of it held.
//
// Usage: node desk_behind_nginx.mjs BASE USER PASSWORD OTHER_USER OTHER_PASSWORD CASE NUMBER
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { accessibilityViolations } from './accessibility.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [base, user, password, otherUser, otherPassword, caseId, number] = process.argv.slice(2);
assert.ok(number, 'usage: node desk_behind_nginx.mjs BASE USER PASSWORD OTHER OTHER_PASSWORD CASE NUMBER');
const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });
async function noViolations(page) {
  assert.deepEqual(await accessibilityViolations(page), [], page.url());
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // The pages allow no script of their own (CSP); the test injects axe-core.
  const signedIn = await browser.newContext({
    httpCredentials: { username: user, password }, bypassCSP: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await signedIn.newPage();
  const opened = await page.goto(`${base}/desk`);
  assert.equal(opened.status(), 200);
  // Signed in: no demo label, no person picker, the person named.
  assert.doesNotMatch(await page.locator('header').innerText(), /Demo/);
  assert.match(await page.locator('header').innerText(), /Jonas Falk/);
  await noViolations(page);
  await page.screenshot({ path: join(artifacts, 'desk-signed-in.png'), fullPage: true });

  await page.locator(`main a[href^="/desk/case/${caseId}"]`).first().click();
  await page.waitForURL(new RegExp(`/desk/case/${caseId}$`));
  await noViolations(page);
  await page.fill('#number', number);
  await page.click('form.diary button[type=submit]');
  await page.waitForURL(new RegExp(`/desk/case/${caseId}$`));
  assert.match(await page.locator('dl').innerText(), new RegExp(number.replace('/', '\\/')));

  await page.goto(`${base}/desk/case/${caseId}/dossier?masked=1`);
  await noViolations(page);
  assert.match(await page.locator('body').innerText(), new RegExp(number.replace('/', '\\/')));
  await signedIn.close();

  // Signed in, but not the information function: the refusal page.
  const other = await browser.newContext({
    httpCredentials: { username: otherUser, password: otherPassword }, bypassCSP: true,
  });
  const refused = await other.newPage();
  const answer = await refused.goto(`${base}/desk`);
  assert.equal(answer.status(), 403);
  await noViolations(refused);
  await other.close();
  console.log('ok - the desk behind nginx');
} catch (e) {
  console.log(`not ok - the desk behind nginx\n  ${e.stack || e}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
