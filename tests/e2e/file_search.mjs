#!/usr/bin/env node
// Search from disk: a site built with `--base-url ./` is opened through
// file:// (no server), the search box finds a framework, and its result opens
// the playbook page at the framework's anchor.
//
//   node tests/e2e/file_search.mjs <site dir built with --base-url ./>

import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const site = path.resolve(process.argv[2] || "");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"],
});
let failed = 0;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(pathToFileURL(path.join(site, "people/hiring-loop/index.html")).href);
  await page.keyboard.press("/");
  await page.keyboard.type("Buy vs Build");
  const first = page.locator("#pb-search-results a").first();
  await first.waitFor({ timeout: 10000 });
  const href = await first.getAttribute("href");
  await page.keyboard.press("Enter");
  await page.waitForURL(/career-strategy\/index\.html#buy-vs-build$/, { timeout: 10000 });
  const sidebar = await page.locator("#pb-sidebar a[aria-current=page]").count();
  if (errors.length) throw new Error("console errors: " + errors.join("; "));
  if (!sidebar) throw new Error("the sidebar did not load from disk");
  console.log(`PASS search from file://: first result ${href} opened ${page.url()}`);
} catch (e) {
  failed = 1;
  console.log(`FAIL search from file://: ${e.message}`);
} finally {
  await browser.close();
}
console.log(`${1 - failed} passed, ${failed} failed`);
process.exit(failed);
