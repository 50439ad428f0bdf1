#!/usr/bin/env node
// Measures search in the browser on a built site: the index's size, and for
// each query, from a fresh page, the time from typing it to its results and
// the parts of the index it loaded. Not part of the test run; used for the
// figures in the closing notes.
//
//   playbook build --root <project> --out <dir> --base-url ./
//   node tests/e2e/search_latency.mjs <dir> [query ...]

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const site = path.resolve(process.argv[2] || "");
const queries = process.argv.slice(3).length ? process.argv.slice(3) : ["buy vs build", "board", "incident review", "roadmap alignment"];
const parts = fs.readdirSync(path.join(site, "assets/search")).map((f) => fs.statSync(path.join(site, "assets/search", f)).size);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`index: ${parts.length} parts, ${kib(parts.reduce((a, b) => a + b, 0))} in all, the largest ${kib(Math.max(...parts))}`);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"],
});
for (const q of queries) {
  const page = await browser.newPage();
  const loaded = [];
  page.on("request", (r) => { if (/search/.test(r.url())) loaded.push(r.url().replace(/.*\//, "").replace(/\?.*/, "")); });
  await page.goto(pathToFileURL(path.join(site, "index.html")).href);
  const ms = await page.evaluate((q) => new Promise((done) => {
    const input = document.getElementById("pb-search-input");
    const list = document.getElementById("pb-search-results");
    const observer = new MutationObserver(() => { if (list.childNodes.length) { observer.disconnect(); done(performance.now() - t0); } });
    observer.observe(list, { childList: true });
    const t0 = performance.now();
    input.value = q;
    input.dispatchEvent(new Event("input"));
  }), q);
  const bytes = loaded.reduce((sum, f) => sum + fs.statSync(path.join(site, f === "search-index.js" ? "assets" : "assets/search", f)).size, 0);
  const first = await page.locator("#pb-search-results a").first().textContent().catch(() => "(none)");
  console.log(`"${q}": ${ms.toFixed(1)} ms from typing to results, ${loaded.length} parts (${kib(bytes)}); first: ${first}`);
  await page.close();
}
await browser.close();
