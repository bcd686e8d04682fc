// axe-core's WCAG 2.1 A and AA rules, shared by the browser tests
// (registration.test.mjs, desk_behind_nginx.mjs). The page's browser
// context must allow injected scripts (bypassCSP: the pages allow none).
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

// The violations on the page as it is now, each with the rule, its impact
// and the first offending node.
export async function accessibilityViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  // Any page passes a few (document-title, html-has-lang, html-lang-valid): none means axe did not run.
  assert.ok(result.passes.length >= 3, `axe-core passed only ${result.passes.length} rules`);
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes[0]?.html}`);
}
