#!/usr/bin/env node
// Measures search in the browser on a built site: the index's size, how long
// it takes to load, and the time from the last keystroke to the results.
// Not part of the test run; used for the figures in the closing notes.
//
//   playbook build --root <project> --out <dir> --base-url ./
//   node tests/e2e/search_latency.mjs <dir> [query ...]

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const site = path.resolve(process.argv[2] || "");
const queries = process.argv.slice(3).length ? process.argv.slice(3) : ["buy vs build", "board", "incident review", "roadmap alignment"];
const index = path.join(site, "assets/search-index.js");
console.log(`index: ${(fs.statSync(index).size / 1024).toFixed(0)} KiB (${index})`);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"],
});
const page = await browser.newPage();
await page.goto(pathToFileURL(path.join(site, "index.html")).href);
const load = await page.evaluate(() => new Promise((done) => {
  const t0 = performance.now();
  const input = document.getElementById("pb-search-input");
  input.focus();
  const poll = () => (window.PLAYBOOK_SEARCH ? done(performance.now() - t0) : setTimeout(poll, 1));
  poll();
}));
console.log(`index loaded and parsed on first focus: ${load.toFixed(0)} ms`);
for (const q of queries) {
  const ms = await page.evaluate((q) => new Promise((done) => {
    const input = document.getElementById("pb-search-input");
    const list = document.getElementById("pb-search-results");
    input.value = q.slice(0, -1);
    input.dispatchEvent(new Event("input"));
    const observer = new MutationObserver(() => { observer.disconnect(); done(performance.now() - t0); });
    const t0 = performance.now();
    input.value = q;
    observer.observe(list, { childList: true });
    input.dispatchEvent(new Event("input"));
  }), q);
  const first = await page.locator("#pb-search-results a").first().textContent();
  console.log(`"${q}": ${ms.toFixed(1)} ms from the last keystroke to results; first: ${first}`);
}
await browser.close();
