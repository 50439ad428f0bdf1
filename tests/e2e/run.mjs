#!/usr/bin/env node
// End-to-end browser tests for a built playbook site.
//
//   node tests/e2e/run.mjs <site dir> [base path, default /handbook/]
//
// Serves <site dir> on 127.0.0.1 under the base path (like GitHub Pages: a
// folder serves its index.html, a missing file gets 404.html with status 404),
// drives Debian's /usr/bin/chromium through playwright-core (no browser
// download), and reports every step as its own PASS/FAIL/SKIP line. The last
// line is "N passed, M failed"; the exit code is 1 when anything failed.
//
// Any console error, uncaught page error, response with status >= 400 or
// request to a host other than the test server fails the run (step i).
// Screenshots and the print PDF go to tests/artifacts/ (gitignored).
//
// Environment: CHROMIUM (default /usr/bin/chromium), E2E_ARTIFACTS (default
// tests/artifacts), E2E_TIMEOUT_MS (per action, default 15000).

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const [siteArg, baseArg = "/handbook/"] = process.argv.slice(2);
if (!siteArg || !fs.existsSync(path.join(siteArg, "index.html"))) {
  console.error("usage: node tests/e2e/run.mjs <built site dir containing index.html> [base path, e.g. /handbook/]");
  process.exit(2);
}
const SITE = path.resolve(siteArg);
const BASE = ("/" + baseArg + "/").replace(/\/+/g, "/");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(HERE, "..", "artifacts"));
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000);
const AXE_PATH = require.resolve("axe-core/axe.min.js");

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error(`cannot load playwright-core (${e.message}); run \`npm ci\` in tests/e2e`);
  process.exit(2);
}

// ---------------------------------------------------------------- server

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
  ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
  ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml",
  ".woff2": "font/woff2", ".woff": "font/woff", ".pdf": "application/pdf",
  ".webmanifest": "application/manifest+json", ".wasm": "application/wasm",
};

function isFile(p) {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}
function isDir(p) {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

function notFound(res) {
  const page = path.join(SITE, "404.html");
  res.writeHead(404, { "Content-Type": TYPES[".html"], "Cache-Control": "no-store" });
  res.end(isFile(page) ? fs.readFileSync(page) : "not found");
}

const server = http.createServer((req, res) => {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (pathname + "/" === BASE) {
    res.writeHead(301, { Location: BASE }).end();
    return;
  }
  if (!pathname.startsWith(BASE)) return notFound(res);
  const rel = pathname.slice(BASE.length);
  let file = path.join(SITE, rel);
  if (file !== SITE && !file.startsWith(SITE + path.sep)) return notFound(res);
  if (isDir(file)) {
    if (!pathname.endsWith("/")) {
      res.writeHead(301, { Location: pathname + "/" }).end();
      return;
    }
    file = path.join(file, "index.html");
  }
  if (!isFile(file)) return notFound(res);
  res.writeHead(200, {
    "Content-Type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream",
    "Cache-Control": "no-store",
  });
  if (req.method === "HEAD") res.end();
  else fs.createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const ORIGIN = `http://127.0.0.1:${server.address().port}`;
const url = (p = "") => ORIGIN + BASE + p;

// ---------------------------------------------------------------- harness

const results = []; // {name, status: "pass"|"fail"|"skip", detail}
const problems = []; // step i: console errors, HTTP errors, foreign requests
const httpErrors = new Set();
let currentStep = "setup";
const timings = {};

class Skip extends Error {}
function check(cond, message) {
  if (!cond) throw new Error(message);
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
} catch (e) {
  console.error(`cannot launch ${CHROMIUM}: ${e.message}`);
  server.close();
  process.exit(2);
}

// A fresh browser context per step, so one step's theme or storage never
// leaks into another's. `expect404` lets a step load a missing page on purpose,
// and `expectFailed` fail a request on purpose.
async function open(opts = {}) {
  const { viewport = { width: 1280, height: 800 }, colorScheme = "light", expect404 = [], expectFailed = [], javaScriptEnabled = true } = opts;
  const meantToFail = (u) => expectFailed.some((p) => u.replace(/\?.*/, "") === url(p));
  const context = await browser.newContext({ viewport, colorScheme, javaScriptEnabled });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT * 2);
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.origin === ORIGIN) return route.continue();
    problems.push(`[${currentStep}] request to a foreign host blocked: ${u.href}`);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const step = currentStep;
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    // A failed load is reported once, by the response handler below.
    if (/^Failed to load resource: the server responded with a status of/.test(text)) return;
    const loc = msg.location();
    if (loc && meantToFail(loc.url)) return;
    problems.push(`[${step}] console error on ${page.url()}: ${text}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ""}`);
  });
  page.on("pageerror", (err) => problems.push(`[${step}] uncaught error on ${page.url()}: ${err.message}`));
  page.on("response", (r) => {
    if (r.status() < 400) return;
    if (r.status() === 404 && expect404.some((p) => r.url() === url(p))) return;
    httpErrors.add(r.url());
    problems.push(`[${step}] HTTP ${r.status()} for ${r.url()}`);
  });
  page.on("requestfailed", (r) => {
    // Foreign requests were recorded by the route, error statuses by "response";
    // ERR_ABORTED is a load cut short by a navigation (a reload, a click).
    if (new URL(r.url()).origin !== ORIGIN || httpErrors.has(r.url())) return;
    if (r.failure()?.errorText === "net::ERR_ABORTED" || meantToFail(r.url())) return;
    problems.push(`[${step}] request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  return { context, page };
}

async function step(name, fn, { timeout = TIMEOUT * 4 } = {}) {
  currentStep = name;
  const started = Date.now();
  let timer;
  try {
    const detail = await Promise.race([
      fn(),
      new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`step timed out after ${timeout} ms`)), timeout); }),
    ]);
    results.push({ name, status: "pass", detail });
    console.log(`PASS ${name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ""}`);
  } catch (e) {
    if (e instanceof Skip) {
      results.push({ name, status: "skip", detail: e.message });
      console.log(`SKIP ${name}: ${e.message}`);
    } else {
      const msg = String(e && e.message ? e.message : e).replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter(Boolean).slice(0, 6).join("\n     ");
      results.push({ name, status: "fail", detail: msg });
      console.log(`FAIL ${name} (${Date.now() - started} ms): ${msg}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

// Runs fn with a fresh page and always closes its context.
async function withPage(opts, fn) {
  const { context, page } = await open(opts);
  try {
    return await fn(page);
  } finally {
    await context.close().catch(() => {});
  }
}

async function goto(page, p) {
  const r = await page.goto(url(p), { waitUntil: "load" });
  check(r && r.ok(), `GET ${url(p)} answered ${r ? r.status() : "nothing"}`);
  return r;
}

async function axe(page) {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${(n.failureSummary || "").replace(/\s+/g, " ").slice(0, 200)}`),
      count: v.nodes.length,
    }));
  });
  check(violations.length === 0,
    `${violations.length} axe violation(s):\n` + violations.map((v) =>
      `${v.id} (${v.impact}, ${v.count} node(s)): ${v.help}\n         ${v.nodes.join("\n         ")}`).join("\n"));
  return "0 violations";
}

// Every page of the built site, as paths relative to the base.
function sitePages(dir = SITE, rel = "") {
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel + ent.name;
    if (ent.isDirectory()) out.push(...sitePages(path.join(dir, ent.name), r + "/"));
    else if (ent.name.endsWith(".html")) out.push(r);
  }
  return out;
}

const titlesOnHome = (page) =>
  page.$$eval("main .card h3 a, main .card h2 a", (as) => as.map((a) => a.textContent.trim()));

// ---------------------------------------------------------------- steps

console.log(`serving ${SITE} at ${url()} with ${CHROMIUM} ${browser.version()}`);

await step("a. home page lists the playbooks", () => withPage({}, async (page) => {
  await goto(page, "");
  const titles = await titlesOnHome(page);
  for (const t of ["From Engineer to Leader", "The Hiring Loop"]) {
    check(titles.includes(t), `"${t}" missing from the home page cards: ${JSON.stringify(titles)}`);
    check(await page.getByText(t, { exact: true }).first().isVisible(), `"${t}" is not visible`);
  }
  return `${titles.length} playbooks: ${titles.join(", ")}`;
}));

await step("b. click into a playbook; Story Mode card", () => withPage({}, async (page) => {
  await goto(page, "");
  await page.locator("main").getByRole("link", { name: "From Engineer to Leader", exact: true }).first().click();
  await page.waitForURL(url("career-strategy/"));
  const card = page.locator(".story-card");
  check(await card.count() === 1, `expected one .story-card, found ${await card.count()}`);
  const text = await card.innerText();
  for (const t of ["Boardroom", "Chief Technology Officer"]) check(text.includes(t), `story card lacks "${t}": ${text.slice(0, 300)}`);
  check(await card.isVisible(), "story card is not visible");
  return page.url();
}));

await step("c. cross-link lands on the section anchor", () => withPage({}, async (page) => {
  await goto(page, "people/hiring-loop/");
  const link = page.locator("main").getByRole("link", { name: "From Engineer to Leader › Buy vs Build", exact: true }).first();
  check(await link.count() === 1, 'no link "From Engineer to Leader › Buy vs Build" on /people/hiring-loop/');
  await link.click();
  await page.waitForURL(url("career-strategy/#buy-vs-build"));
  const box = await page.locator("#buy-vs-build").boundingBox();
  check(box, "#buy-vs-build does not exist or is not rendered");
  const vh = page.viewportSize().height;
  check(box.y < vh && box.y + box.height > 0, `#buy-vs-build is not scrolled into view (top ${box.y}px)`);
  const header = await page.locator(".site-header").boundingBox();
  check(box.y >= header.y + header.height, `#buy-vs-build (top ${box.y}px) is under the sticky header (bottom ${header.y + header.height}px)`);
  return page.url();
}));

await step("d. search: '/' focuses, results, Enter opens the first", () => withPage({}, async (page) => {
  await goto(page, "");
  const input = page.locator("input#pb-search-input");
  check(await input.count() === 1, "no input#pb-search-input on the home page");
  check(await page.locator("ul#pb-search-results").count() === 1, "no ul#pb-search-results on the home page");
  await page.evaluate(() => {
    const lat = (window.__latency = { keys: [], muts: [] });
    document.getElementById("pb-search-input").addEventListener("keydown", () => lat.keys.push(performance.now()), true);
    const list = document.getElementById("pb-search-results");
    new MutationObserver(() => { if (list.querySelector("a")) lat.muts.push(performance.now()); })
      .observe(list, { childList: true, subtree: true, characterData: true });
  });
  // Tab passing through the box does not load the index (25 MB at 10,000 playbooks).
  await input.focus();
  await page.waitForTimeout(300);
  const loaded = () => page.evaluate(() => performance.getEntriesByType("resource").some((r) => r.name.includes("search-index")));
  check(!(await loaded()), "focusing the box loaded the search index");
  await input.blur();
  await page.locator("body").press("/");
  check(await page.evaluate(() => document.activeElement && document.activeElement.id) === "pb-search-input",
    "pressing / did not focus #pb-search-input");
  const query = "Buy vs Build";
  await page.keyboard.type(query, { delay: 30 });
  const first = page.locator("#pb-search-results a").first();
  await first.waitFor({ state: "visible", timeout: 8000 });
  await page.waitForFunction(() => {
    const a = document.querySelector("#pb-search-results a");
    return a && a.getAttribute("href").includes("#buy-vs-build");
  }, null, { timeout: 5000 }).catch(() => {});
  const href = await first.getAttribute("href");
  const count = await page.locator("#pb-search-results a").count();
  check(href && href.includes("#buy-vs-build"), `first result links to ${href}, not #buy-vs-build`);
  const lat = await page.evaluate(() => window.__latency);
  const lastKey = Math.max(...lat.keys);
  const after = lat.muts.filter((t) => t >= lastKey);
  if (after.length) timings.searchLast = after[0] - lastKey;
  const index = await page.evaluate(() => {
    const e = performance.getEntriesByType("resource").find((r) => r.name.includes("search-index"));
    return e && { ms: e.duration, kb: e.decodedBodySize / 1024 };
  });
  const latency = `last keystroke → results ${timings.searchLast != null ? timings.searchLast.toFixed(1) + " ms" : "n/a (no update after the last key)"}` +
    (index ? `; index ${index.kb.toFixed(1)} KB loaded in ${index.ms.toFixed(1)} ms` : "");
  console.log(`     search latency: ${latency}`);
  await input.fill("zzqx nothing matches");
  const empty = page.locator("#pb-search-results .search-empty");
  await empty.waitFor({ state: "visible", timeout: 3000 }).catch(() => {});
  check(await empty.isVisible(), "a search with no results says nothing");
  await input.fill(query);
  await first.waitFor({ state: "visible", timeout: 3000 });
  await input.press("Enter");
  await page.waitForURL((u) => u.hash === "#buy-vs-build");
  check(await page.locator("#buy-vs-build").count() === 1, `Enter opened ${page.url()}, which has no #buy-vs-build`);
  return `${count} results, first ${href}; Enter opened ${page.url()}`;
}));

await step("e. dark mode toggle persists across reload", () => withPage({ colorScheme: "light" }, async (page) => {
  await goto(page, "career-strategy/");
  const theme = () => page.evaluate(() => document.documentElement.getAttribute("data-theme"));
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(await theme() !== "dark", `starts as "${await theme()}" with a light colour scheme`);
  const lightBg = await bg();
  await page.locator("button.theme-toggle").click();
  check(await theme() === "dark", `after the click data-theme is "${await theme()}"`);
  const darkBg = await bg();
  check(darkBg !== lightBg, `body background did not change (${lightBg})`);
  await page.reload({ waitUntil: "load" });
  check(await theme() === "dark", `after reload data-theme is "${await theme()}"`);
  // Paper is white: the dark theme is for the screen.
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => getComputedStyle(document.querySelector(".story-card")).backgroundColor);
  check(printed === "rgb(253, 248, 236)", `the story card prints on ${printed} in the dark theme`);
  return `background ${lightBg} → ${darkBg}; prints light`;
}));

await step("f. print page: every playbook in order, PDF", () => withPage({}, async (page) => {
  await goto(page, "");
  const expected = await titlesOnHome(page);
  check(expected.length > 0, "no playbook titles found on the home page");
  await page.emulateMedia({ media: "print" });
  await goto(page, "print/");
  // The chapters' text is fetched from the playbook pages.
  await page.waitForSelector("body[data-print-ready]", { timeout: 10000 });
  const gathered = await page.evaluate(() => {
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    return {
      pending: document.querySelectorAll(".print-pending").length,
      bodies: document.querySelectorAll("article.print-chapter .playbook-body").length,
      chapters: document.querySelectorAll("article.print-chapter").length,
      duplicates: ids.filter((id, i) => ids.indexOf(id) !== i),
      framework: !!document.getElementById("career-strategy--buy-vs-build"),
      status: document.getElementById("pb-print-status").textContent,
      // A chapter's title is its h2; what it gathers nests under it.
      flat: document.querySelectorAll("article.print-chapter :is(.story-card, .playbook-body) :is(h1, h2)").length,
      nested: document.querySelectorAll("article.print-chapter .playbook-body h3").length,
      // Links between chapters stay on the page, each to an element that is there.
      toBuyVsBuild: document.querySelectorAll('article.print-chapter a[href="#career-strategy--buy-vs-build"]').length,
      toChapterPages: [...document.querySelectorAll("article.print-chapter a[href]")]
        .map((a) => a.getAttribute("href"))
        .filter((h) => [...document.querySelectorAll("article.print-chapter[data-src]")].some((c) => h.split("#")[0] === c.getAttribute("data-src"))),
      // Each story card is named with its chapter: titles recur across chapters.
      stories: [...document.querySelectorAll("article.print-chapter")].flatMap((a) =>
        [...a.querySelectorAll(".story-card")].map((c) => [c.getAttribute("aria-label") || "", a.querySelector(".print-title").textContent])),
      dangling: [...document.querySelectorAll('article.print-chapter a[href^="#"]')]
        .map((a) => decodeURIComponent(a.getAttribute("href").slice(1)))
        .filter((id) => id && !document.getElementById(id)),
    };
  });
  check(gathered.toBuyVsBuild > 0, "no in-page link to Buy vs Build from another chapter");
  check(gathered.toChapterPages.length === 0, `links still leave the print page for a chapter: ${gathered.toChapterPages.slice(0, 5)}`);
  check(gathered.dangling.length === 0, `in-page links to nothing: ${gathered.dangling.slice(0, 5)}`);
  check(gathered.pending === 0 && gathered.bodies === gathered.chapters, `chapters not gathered: ${JSON.stringify(gathered)}`);
  check(gathered.duplicates.length === 0, `duplicate ids on the print page: ${gathered.duplicates.slice(0, 5)}`);
  check(gathered.framework, "the Buy vs Build framework is not on the print page under its prefixed id");
  check(gathered.flat === 0 && gathered.nested > 0, `headings not nested under their chapters: ${gathered.flat} h1/h2 left, ${gathered.nested} h3`);
  check(gathered.stories.length > 0 && gathered.stories.every(([name, chapter]) => name.includes("Story Mode") && / in chapter \d+, /.test(name) && name.endsWith(`, ${chapter}`)),
    `story cards not named with their chapters: ${JSON.stringify(gathered.stories.slice(0, 3))}`);
  const headings = await page.$$eval("main h1, main h2, main h3", (hs) => hs.map((h) => h.textContent.replace(/\s+/g, " ").trim()));
  let at = 0;
  for (const t of expected) {
    const i = headings.findIndex((h, k) => k >= at && h.includes(t));
    check(i >= 0, `"${t}" not found as a heading in order (after heading #${at}); headings: ${JSON.stringify(headings.slice(0, 40))}`);
    at = i + 1;
  }
  const pdf = await page.pdf({ format: "A4", printBackground: false });
  check(pdf.length > 1000 && pdf.subarray(0, 5).toString() === "%PDF-", "page.pdf() did not return a PDF");
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, "print.pdf"), pdf);
  return `${expected.length} playbooks gathered in order ("${gathered.status}"); PDF ${Math.round(pdf.length / 1024)} KB`;
}));

await step("f2. a track's page prints that track alone", () => withPage({}, async (page) => {
  await goto(page, "tracks/people/");
  const link = page.getByRole("link", { name: "Print this track" });
  check(await link.count() === 1, "no \"Print this track\" link on the track's page");
  await link.click();
  await page.waitForSelector("body[data-print-ready]", { timeout: 10000 });
  const got = await page.evaluate(() => ({
    tracks: [...document.querySelectorAll("article.print-chapter")].map((a) => a.getAttribute("data-track")),
    contents: document.querySelectorAll(".print-toc li").length,
    pending: document.querySelectorAll(".print-pending").length,
    status: document.getElementById("pb-print-status").textContent,
  }));
  check(got.tracks.length === 3 && got.tracks.every((t) => t === "people"), `chapters: ${JSON.stringify(got.tracks)}`);
  check(got.contents === 3 && got.pending === 0, JSON.stringify(got));
  return `${got.tracks.length} chapters of people ("${got.status}")`;
}));

await step("g. mobile: menu button opens the sidebar", () => withPage({ viewport: { width: 360, height: 740 } }, async (page) => {
  await goto(page, "career-strategy/");
  const button = page.locator(".menu-toggle");
  const sidebar = page.locator("#pb-sidebar");
  check(await button.isVisible(), ".menu-toggle is not visible at 360x740");
  check(!(await sidebar.isVisible()), "#pb-sidebar is already visible before the menu is opened");
  await button.click();
  await sidebar.waitFor({ state: "visible", timeout: 3000 }).catch(() => {});
  check(await sidebar.isVisible(), "#pb-sidebar is not visible after clicking .menu-toggle");
  check(await button.getAttribute("aria-expanded") === "true", `aria-expanded is ${await button.getAttribute("aria-expanded")}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `page scrolls sideways at 360 px (scrollWidth ${width})`);
  for (const name of ["Frameworks", "Exit games", "Map", "Print"]) {
    check(await page.locator(".site-header").getByRole("link", { name, exact: true }).isVisible(), `no visible "${name}" link in the open menu`);
  }
  // The page under the open menu is out of reach: Tab stays in the header and the menu.
  let under = 0;
  for (let k = 0; k < 30; k++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => !!document.activeElement.closest("#pb-main, .site-footer"))) under++;
  }
  check(under === 0, `Tab reached the page under the open menu ${under} times`);
  await page.keyboard.press("Escape");
  check(!(await sidebar.isVisible()), "Escape does not close the menu");
  check(await page.evaluate(() => !document.getElementById("pb-main").inert), "the page stays out of reach after the menu closed");
  // Opened far down a long page, the menu is on screen, not at the top of the page.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await button.click();
  const box = await sidebar.boundingBox();
  const header = await page.locator(".site-header").boundingBox();
  check(box && box.y >= header.y + header.height - 1 && box.y < 740, `the menu opened scrolled away at top ${box && box.y}px`);
  return "sidebar and site links shown, the page under it out of Tab's reach, on screen when scrolled, closed by Escape";
}));

await step("g2. mobile without scripts: the site links stay in the header", () => withPage({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false }, async (page) => {
  await goto(page, "career-strategy/");
  check(!(await page.locator(".menu-toggle").isVisible()), "a menu button that cannot work is shown");
  for (const name of ["Frameworks", "Exit games", "Map", "Print"]) {
    check(await page.locator(".site-header").getByRole("link", { name, exact: true }).isVisible(), `no visible "${name}" link`);
  }
  return "links shown";
}));

await step("g3. the sidebar shows the current playbook, however far down the list", () => withPage({ viewport: { width: 1280, height: 160 } }, async (page) => {
  await goto(page, "");
  const last = await page.$$eval("#pb-sidebar a", (as) => as[as.length - 1].getAttribute("href"));
  await page.goto(new URL(last, page.url()).href, { waitUntil: "load" });
  const seen = await page.evaluate(() => {
    const sidebar = document.getElementById("pb-sidebar");
    const current = sidebar.querySelector('[aria-current="page"]');
    if (!current) return "no current entry";
    const s = sidebar.getBoundingClientRect(), c = current.getBoundingClientRect();
    if (sidebar.scrollHeight <= sidebar.clientHeight) return "the sidebar does not scroll at this size";
    return c.top >= s.top && c.bottom <= s.bottom ? "" : `current entry at ${c.top}..${c.bottom}, sidebar shows ${s.top}..${s.bottom}`;
  });
  check(seen === "", seen);
  return `${last}: its entry is in the sidebar's view`;
}));

await step("g4. a long sidebar folds to the reader's track, and the others open with their button", () => withPage({}, async (page) => {
  // 3 tracks of 40 playbooks, the page opened among the second's.
  const fake = (t) => Array.from({ length: 40 }, (_, k) => ({ t: `${t} ${k}`, u: `${t}-${k}/` }));
  const nav = { tracks: [
    { n: "Alpha", u: "tracks/alpha/", p: fake("alpha") },
    { n: "People", u: "tracks/people/", p: [...fake("people"), { t: "The Hiring Loop", u: "people/hiring-loop/" }] },
    { n: "Omega", u: "tracks/omega/", p: fake("omega") },
  ] };
  await page.route("**/assets/nav.js", (route) =>
    route.fulfill({ contentType: "text/javascript", body: `window.PLAYBOOK_NAV=${JSON.stringify(nav)};` }));
  await goto(page, "people/hiring-loop/");
  const shown = () => page.$$eval("#pb-sidebar li:not(.nav-track)", (lis) => lis.filter((li) => !li.hidden).map((li) => li.textContent));
  let visible = await shown();
  check(visible.length === 41 && visible.includes("The Hiring Loop") && !visible.includes("alpha 0"), `shown: ${visible.length} ${visible.slice(0, 3)}`);
  // Folded tracks' entries are made when first opened, not hidden on every page.
  const made = await page.$$eval("#pb-sidebar li:not(.nav-track)", (lis) => lis.length);
  check(made === 41, `${made} entries made for 41 shown`);
  const alpha = page.getByRole("button", { name: "Alpha: 40 playbooks" });
  check(await alpha.getAttribute("aria-expanded") === "false", "Alpha is not folded");
  await alpha.click();
  visible = await shown();
  check(visible.includes("alpha 0") && visible.length === 81, `after opening Alpha: ${visible.length}`);
  const order = await page.$$eval("#pb-sidebar li", (lis) => lis.map((li) => li.textContent));
  check(order.indexOf("alpha 39") + 1 === order.findIndex((t) => t.includes("People")), "Alpha's entries sit under Alpha, before People");
  await axe(page);
  return "41 of 121 shown (and made), 81 after opening Alpha, in order; no axe violations";
}));

await step("g5. a track's own pages (a later list page, its map, its print page) open its track in the sidebar", () => withPage({}, async (page) => {
  const fake = (t) => Array.from({ length: 40 }, (_, k) => ({ t: `${t} ${k}`, u: `${t}-${k}/` }));
  const nav = { tracks: ["alpha", "people", "omega"].map((t) => ({ n: t, u: `tracks/${t}/`, p: fake(t) })) };
  await page.route("**/assets/nav.js", (route) =>
    route.fulfill({ contentType: "text/javascript", body: `window.PLAYBOOK_NAV=${JSON.stringify(nav)};` }));
  // A page of no track's, told it is about "people" as such pages are.
  await page.route("**/tags/hiring/", async (route) => {
    const html = await (await route.fetch()).text();
    route.fulfill({ contentType: "text/html", body: html.replace("<body data-base=", "<body data-track=\"people\" data-base=") });
  });
  await goto(page, "tags/hiring/");
  const open = await page.$$eval("#pb-sidebar button.nav-fold", (bs) => bs.map((b) => `${b.getAttribute("aria-label")}=${b.getAttribute("aria-expanded")}`));
  check(JSON.stringify(open) === JSON.stringify(["alpha: 40 playbooks=false", "people: 40 playbooks=true", "omega: 40 playbooks=false"]), `folds: ${open}`);
  return "people open, the others folded";
}));

await step("g6. a big handbook's sidebar loads a track's list of playbooks when the track opens", () => withPage({ expectFailed: ["assets/nav/omega.js"] }, async (page) => {
  // nav.js names the tracks; each track's playbooks are in a file of their own.
  const fake = (t, n) => Array.from({ length: n }, (_, k) => ({ t: `${t} ${k}`, u: `${t}-${k}/` }));
  const lists = { alpha: fake("alpha", 40), people: [...fake("people", 39), { t: "The Hiring Loop", u: "people/hiring-loop/" }], omega: fake("omega", 40) };
  const nav = { tracks: Object.keys(lists).map((t) => ({ n: t, u: `tracks/${t}/`, c: 40, f: `assets/nav/${t}.js` })) };
  const asked = [];
  await page.route("**/assets/nav.js", (route) =>
    route.fulfill({ contentType: "text/javascript", body: `window.PLAYBOOK_NAV=${JSON.stringify(nav)};` }));
  await page.route("**/assets/nav/*.js", (route) => {
    const t = route.request().url().match(/nav\/([a-z]+)\.js$/)[1];
    asked.push(t);
    // omega's list fails to load the first time (offline for a moment).
    if (t === "omega" && asked.filter((a) => a === "omega").length === 1) return route.abort();
    route.fulfill({ contentType: "text/javascript", body: `window.PLAYBOOK_NAV_TRACK("tracks/${t}/",${JSON.stringify(lists[t])});` });
  });
  await goto(page, "people/hiring-loop/");
  const current = page.locator('#pb-sidebar a[aria-current="page"]');
  await current.waitFor({ timeout: 5000 });
  check(await current.textContent() === "The Hiring Loop", "this page is marked in its track's list");
  check(asked.join() === "people", `lists loaded with the page: ${asked}`);
  const alpha = page.getByRole("button", { name: "alpha: 40 playbooks" });
  check(await alpha.getAttribute("aria-expanded") === "false", "alpha is not folded");
  await alpha.click();
  await page.locator("#pb-sidebar a", { hasText: "alpha 39" }).waitFor({ timeout: 5000 });
  check(asked.join() === "people,alpha", `after opening alpha: ${asked}`);
  const order = await page.$$eval("#pb-sidebar li", (lis) => lis.map((li) => li.textContent));
  check(order.indexOf("alpha 39") + 1 === order.findIndex((t) => t.includes("people") && !t.includes(" ")), "alpha's entries sit under alpha");
  await alpha.click();
  await alpha.click();
  const shown = await page.$$eval("#pb-sidebar li:not(.nav-track)", (lis) => lis.filter((li) => !li.hidden).length);
  check(shown === 80 && asked.length === 2, `closed and opened again: ${shown} shown, ${asked.length} lists loaded`);
  // A list that failed to load is asked for again when its track is next opened.
  const omega = page.getByRole("button", { name: "omega: 40 playbooks" });
  await omega.click();
  await page.waitForFunction(() => document.querySelector('button[aria-label^="omega"]').getAttribute("aria-expanded") === "false", null, { timeout: 5000 });
  await omega.click();
  await page.locator("#pb-sidebar a", { hasText: "omega 39" }).waitFor({ timeout: 5000 });
  check(asked.join() === "people,alpha,omega,omega", `after omega failed once: ${asked}`);
  await axe(page);
  return "the page's track listed with the page, alpha's list loaded once when opened, omega's again after it failed; no axe violations";
}));

await step("d2. search by keyboard: arrows into the results, Escape and a click elsewhere close them", () => withPage({}, async (page) => {
  await goto(page, "");
  const input = page.locator("input#pb-search-input");
  await input.click();
  await page.keyboard.type("Buy vs Build", { delay: 20 });
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 8000 });
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => document.activeElement.closest("#pb-search-results") !== null);
  check(focused, "ArrowDown from the box does not reach the results");
  const status = await page.locator(".search [role=status]").textContent();
  check(/\d+ results?/.test(status), `no result count for screen readers: "${status}"`);
  await page.keyboard.press("ArrowUp");
  check(await page.evaluate(() => document.activeElement.id) === "pb-search-input", "ArrowUp from the first result does not go back to the box");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Escape");
  check(await page.locator("#pb-search-results a").count() === 0, "Escape in the results leaves them open");
  check(await page.evaluate(() => document.activeElement.id) === "pb-search-input", "Escape does not return to the box");
  await page.keyboard.type(" ");
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 3000 });
  await page.mouse.click(640, 500);
  check(await page.locator("#pb-search-results a").count() === 0, "a click elsewhere leaves the results over the page");
  // Tabbing on out of the box and its results closes them too.
  await input.click();
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 3000 });
  await page.locator(".theme-toggle").focus();
  check(await page.locator("#pb-search-results a").count() === 0, "the results stay over the page when the focus has left them");
  // A click on a result still opens it.
  await input.click();
  const result = page.locator("#pb-search-results a").first();
  await result.waitFor({ state: "visible", timeout: 3000 });
  await Promise.all([page.waitForURL((u) => u.hash === "#buy-vs-build", { timeout: 5000 }), result.click()]);
  return "arrows, Escape, an outside click and the focus leaving behave; a click on a result opens it";
}));

await step("d3. search finds words by their starts, ranks titles first and reads past punctuation", () => withPage({}, async (page) => {
  // A made-up index, so the ranking is tested apart from the fixture: two
  // parts of words, the second from "boardr" on (so "board" needs both),
  // and one block of results (see src/search.rs). A posting
  // is the step from the last document times 512, plus the document's kind
  // (0 a playbook) times 64, its title's length in words times 4, 2 if the
  // word starts the title and 1 if it is in it.
  const post = (step, titleWords, flags) => step * 512 + titleWords * 4 + flags;
  const parts = {
    index: { w: ["", "boardr"], d: [0], v: "1" },
    w0: { board: [post(1, 2, 1), post(2, 1, 0), post(1, 1, 3)] },
    w1: {
      onboarding: [post(0, 2, 3)], talks: [post(0, 2, 1), post(1, 2, 3)], boardroom: [post(3, 1, 3)],
      buy: [post(2, 3, 3)], vs: [post(2, 3, 1)], build: [post(2, 3, 1)], raci: [post(2, 3, 0)], map: [post(2, 3, 0)],
      // Text without spaces is its pairs of characters and its last one:
      // 採用プロセス has six words (採用 用フ フロ ロセ セス ス), 採用 two.
      "採用": [post(5, 6, 3), post(1, 2, 3)], "用": [post(6, 2, 1)], "用フ": [post(5, 6, 1)],
    },
    d0: [["Onboarding Talks", "a/", "People", [["", "", "p"]]], ["Talks with the Board", "b/", "Board", [["", "", "p"]]],
         ["Buy vs Build", "c/", "Ops", [["", "", "p"]]], ["Boardroom", "d/", "Ops", [["", "", "p"]]],
         ["Board", "e/", "Ops", [["", "", "p"]]], ["採用プロセス", "f/", "People", [["", "", "p"]]],
         ["採用", "g/", "People", [["", "", "p"]]]],
  };
  await page.route(/assets\/search(-index|\/\w+)\.js(\?v=\w+)?$/, (route) => {
    const name = route.request().url().includes("search-index.js") ? "index" : route.request().url().match(/(\w+)\.js(\?|$)/)[1];
    route.fulfill({ contentType: "text/javascript", body: `window.PLAYBOOK_SEARCH_PART(${JSON.stringify(name)},${JSON.stringify(parts[name])});` });
  });
  await goto(page, "");
  const input = page.locator("input#pb-search-input");
  const results = async (query) => {
    await input.fill(query);
    await page.waitForFunction(() => document.querySelector("#pb-search-results li"), null, { timeout: 5000 });
    return page.$$eval("#pb-search-results a", (as) => as.map((a) => a.firstChild.textContent));
  };
  const board = await results("board talks");
  check(board[0] === "Talks with the Board", `"board talks" ranks ${JSON.stringify(board)}`);
  // A word is found by its start: "board" is not in "Onboarding". The
  // title that is the word comes first, not one that starts with it and
  // has the word in its text.
  const boards = await results("board");
  check(!boards.includes("Onboarding Talks"), "\"board\" finds Onboarding");
  check(boards[0] === "Board" && boards[1] === "Boardroom", `"board" ranks ${JSON.stringify(boards)}`);
  // A title that starts with the word ranks above one that has it later.
  const talks = await results("talks");
  check(talks[0] === "Talks with the Board" && talks[1] === "Onboarding Talks", `"talks" ranks ${JSON.stringify(talks)}`);
  check((await results("Büy"))[0] === "Buy vs Build", "an accent in the query stops it finding the word");
  const hiring = await results("採用");
  check(hiring[0] === "採用" && hiring[1] === "採用プロセス", `"採用" ranks ${JSON.stringify(hiring)}`);
  check((await results("Buy/Build"))[0] === "Buy vs Build", "\"Buy/Build\" does not find Buy vs Build");
  check((await results("\u201cbuy vs build\u201d"))[0] === "Buy vs Build", "a quoted query finds nothing");
  check((await results("RACI-map"))[0] === "Buy vs Build", "\"RACI-map\" does not find the text raci map");
  const where = await page.$eval("#pb-search-results .result-where", (e) => e.textContent);
  check(where.includes("Ops"), `a result does not name its track: "${where}"`);
  return `board talks → ${board.join(", ")}`;
}));

await step("d4. a part of the index that fails to load, with the index fresh too, says so, and the next keystroke asks again", () => withPage({ expectFailed: ["assets/search/w0.js"] }, async (page) => {
  // Once from the index as the page found it, once from the index asked
  // for again past the cache (see d7).
  let failures = 2;
  const asked = [];
  // The fixture is small: its words are all in one part, w0.js.
  await page.route(/assets\/search\/w\w*\.js\?v=\w+$/, (route) => {
    asked.push(route.request().url().replace(/.*\//, ""));
    if (failures-- > 0) route.abort(); else route.continue();
  });
  await goto(page, "");
  const input = page.locator("input#pb-search-input");
  await input.fill("buy");
  const empty = page.locator("#pb-search-results .search-empty");
  await empty.waitFor({ state: "visible", timeout: 5000 });
  const said = await empty.textContent();
  check(/could not load/.test(said), `a failed part says "${said}"`);
  await input.fill("buy b");
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 5000 });
  const first = await page.$eval("#pb-search-results a", (a) => a.getAttribute("href"));
  check(asked.length === 3 && asked.every((a) => a === asked[0]), `parts asked for: ${JSON.stringify(asked)}`);
  check(/^w0\.js\?v=\w+$/.test(asked[0]), `a part is asked for without the index's version: ${asked[0]}`);
  return `"${said}", then ${first} after asking for ${asked[2]} again`;
}));

await step("d5. search finds words written with accents and without spaces, as the build indexed them", () => withPage({}, async (page) => {
  await goto(page, "");
  const input = page.locator("input#pb-search-input");
  const first = async (query) => {
    await input.fill("");
    await input.fill(query);
    await page.waitForFunction(() => document.querySelector("#pb-search-results li"), null, { timeout: 5000 });
    return page.$eval("#pb-search-results li", (li) => li.textContent);
  };
  // people/feedback.md: "The Tōkyō team calls it 採用フィードバック; the Zürich team, Rückmeldung."
  // One character finds it too, the first of a run of them or the last.
  for (const query of ["tokyo", "Tōkyō", "zurich rückmeldung", "採用", "フィードバック", "ruckmeld", "採", "ク"]) {
    const found = await first(query);
    check(found.startsWith("Across Offices"), `"${query}" finds ${JSON.stringify(found)}`);
  }
  check(/No results/.test(await first("constructor")), "\"constructor\" is a word like any other");
  // While the first letter is all there is, there is nothing to say yet.
  await input.fill("b");
  await page.waitForTimeout(200);
  const said = await page.$$eval("#pb-search-results li", (lis) => lis.map((li) => li.textContent));
  check(said.length === 0, `one letter says ${JSON.stringify(said)}`);
  return "tokyo, Tōkyō, zurich rückmeldung, 採用, フィードバック, ruckmeld, 採 and ク find the section";
}));

// Serves the search index the first time as a browser that cached an
// earlier deploy's would have it (`asCached` makes that from this build's),
// then as it is. `asked` lists the addresses it was asked for at;
// `rewrote()` says whether the first was other than this build's, so a
// fixture that no longer fits the rewrite fails the step instead of
// passing it untested.
async function indexCachedFirst(page, asCached) {
  const asked = [];
  let rewrote = false;
  await page.route(/assets\/search-index\.js(\?.*)?$/, async (route) => {
    asked.push(route.request().url().replace(/.*\//, ""));
    const response = await route.fetch();
    let body = await response.text();
    if (asked.length === 1) {
      const cached = asCached(body);
      rewrote = cached !== body;
      body = cached;
    }
    await route.fulfill({ response, body });
  });
  return { asked, rewrote: () => rewrote };
}

await step("d6. a page with an earlier build's index from the browser's cache asks for the index again", () => withPage({}, async (page) => {
  // As cached from the last deploy: other versions of the parts, and
  // documents in a block this build does not have.
  const { asked, rewrote } = await indexCachedFirst(page, (body) => body
    .replace(/"(wv|dv)":\[[^\]]*\]/g, (list) => list.replace(/"[0-9a-f]{8}"/g, '"0ld0ld00"'))
    .replace('"d":[0]', '"d":[0,1]'));
  // Parts come slowly, so that two searches ("bu", then "buy") wait on the
  // same part when it shows the index stale.
  await page.route(/assets\/search\/w\d+\.js/, async (route) => {
    await new Promise((r) => setTimeout(r, 300));
    await route.continue();
  });
  await goto(page, "");
  await page.locator("input#pb-search-input").pressSequentially("buy", { delay: 40 });
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 5000 });
  const first = await page.$eval("#pb-search-results a", (a) => a.getAttribute("href"));
  const said = await page.$$eval("#pb-search-results .search-empty", (li) => li.map((l) => l.textContent));
  check(!said.length, `the search said ${JSON.stringify(said)}`);
  check(rewrote(), "the fixture's index has no versions to make old");
  check(asked.length === 2 && /^search-index\.js\?t=\d+$/.test(asked[1]), `the index was asked for as ${JSON.stringify(asked)}`);
  return `${first}, after asking for ${asked.join(" then ")}`;
}));

await step("d7. a cached index that names a part this build does not have asks for the index again", () => withPage({ expect404: ["assets/search/w2.js"] }, async (page) => {
  // As cached from a deploy whose words were in three parts: "buy" is in
  // its w2, which this build does not have.
  const { asked, rewrote } = await indexCachedFirst(page, (body) => body.replace(/"w":\[""\]/, '"w":["","a","b"]'));
  await goto(page, "");
  await page.locator("input#pb-search-input").fill("buy");
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 5000 });
  check(rewrote(), "the fixture's index is not in one part");
  const said = await page.$$eval("#pb-search-results .search-empty", (li) => li.map((l) => l.textContent));
  check(!said.length, `the search said ${JSON.stringify(said)}`);
  check(asked.length === 2 && /^search-index\.js\?t=\d+$/.test(asked[1]), `the index was asked for as ${JSON.stringify(asked)}`);
  const first = await page.$eval("#pb-search-results a", (a) => a.getAttribute("href"));
  return `${first}, after asking for ${asked.join(" then ")}`;
}));

await step("d8. a part asked for under an index since let go does not make the fresh index look stale", () => withPage({ expect404: ["assets/search/w1.js?v=0ld0ld01"] }, async (page) => {
  // As cached from a deploy with two word parts: w0, which the cache also
  // holds, and w1, which this build does not have.
  const { asked, rewrote } = await indexCachedFirst(page,
    (body) => body.replace(/"w":\[""\],"wv":\["\w+"\]/, '"w":["","b"],"wv":["0ld0ld00","0ld0ld01"]'));
  // The order is held by the routes, not by timers: the cached w0 (asked
  // for by the search for "alpha") runs once the fresh index is in, which
  // the page's asking for this build's w0 shows; this build's w0 runs after.
  let freshAsked;
  const fresh = new Promise((resolve) => { freshAsked = resolve; });
  await page.route(/assets\/search\/w0\.js\?v=\w+$/, async (route) => {
    const response = await route.fetch();
    let body = await response.text();
    if (/v=0ld0ld00$/.test(route.request().url())) {
      await fresh;
      body = body.replace(/,"[0-9a-f]{8}"\);\s*$/, ',"0ld0ld00");');
    } else {
      freshAsked();
      await page.waitForFunction(() => window.partsRan.includes("w0 0ld0ld00"), null, { timeout: 8000 });
    }
    await route.fulfill({ response, body });
  });
  await goto(page, "");
  await page.evaluate(() => {
    const take = window.PLAYBOOK_SEARCH_PART;
    window.partsRan = [];
    window.PLAYBOOK_SEARCH_PART = function (name, data, v) { window.partsRan.push(`${name} ${v}`); take(name, data, v); };
  });
  const input = page.locator("input#pb-search-input");
  await input.fill("alpha");
  await input.fill("buy");
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 8000 });
  check(rewrote(), "the fixture's index was not in one part");
  const ran = await page.evaluate(() => window.partsRan);
  const freshIndex = ran.indexOf("index undefined", ran.indexOf("index undefined") + 1);
  check(freshIndex > 0 && ran.indexOf("w0 0ld0ld00") > freshIndex, `parts ran in the order ${JSON.stringify(ran)}`);
  const said = await page.$$eval("#pb-search-results .search-empty", (li) => li.map((l) => l.textContent));
  check(!said.length, `the search said ${JSON.stringify(said)}`);
  check(asked.length === 2, `the index was asked for ${asked.length} times: ${JSON.stringify(asked)}`);
  const first = await page.$eval("#pb-search-results a", (a) => a.getAttribute("href"));
  return `${first}, the index asked for as ${asked.join(" then ")}`;
}));

await step("m. the map scrolls inside a frame that fits the window", () => withPage({ viewport: { width: 1280, height: 160 } }, async (page) => {
  await goto(page, "map/");
  const sizes = await page.$eval(".map-frame", (f) => ({ frame: f.getBoundingClientRect().height, svg: f.scrollHeight }));
  check(sizes.svg > 160, `the fixture's map (${sizes.svg}px) is too small to tell`);
  check(sizes.frame <= 160, `the frame is ${sizes.frame}px tall in a 160px window`);
  return `frame ${sizes.frame}px for a ${sizes.svg}px map`;
}));

await step("n. a box that scrolls is a tab stop and takes the arrow keys; elsewhere they turn the page", () => withPage({ viewport: { width: 360, height: 740 } }, async (page) => {
  await goto(page, "ops/incident-review/");
  const boxes = await page.$$eval("pre, .table-wrap", (els) => els.map((e) => [e.scrollWidth > e.clientWidth + 1, e.getAttribute("tabindex")]));
  check(boxes.some(([wide]) => wide), `no box scrolls sideways at 360 px to tell: ${JSON.stringify(boxes)}`);
  check(boxes.every(([wide, tab]) => (wide ? tab === "0" : tab === null)), `tab stops: ${JSON.stringify(boxes)}`);
  const here = page.url();
  const box = page.locator("[data-scroller]").first();
  await box.click();
  await page.keyboard.press("ArrowRight");
  await page.waitForTimeout(400);
  check(page.url() === here, `→ in a box that scrolls sideways left the page for ${page.url()}`);
  check(await box.evaluate((e) => e.scrollLeft) > 0, "→ did not scroll the box");
  await axe(page);
  await page.locator("h1").click();
  await Promise.all([page.waitForURL((u) => u.toString() !== here, { timeout: 5000 }), page.keyboard.press("ArrowRight")]);
  return `${boxes.filter(([wide]) => wide).length} of ${boxes.length} boxes scroll and are tab stops; → scrolled one, then turned the page from the text`;
}));

await step("h. mermaid diagrams render", async () => {
  const pages = sitePages().filter((p) => /class="[^"]*\bmermaid\b/.test(fs.readFileSync(path.join(SITE, p), "utf8")));
  if (!pages.length) throw new Skip("the fixture has no .mermaid element");
  const p = pages[0].replace(/index\.html$/, "");
  return withPage({}, async (page) => {
    await goto(page, p);
    await page.locator(".mermaid svg").first().waitFor({ state: "visible" });
    const svg = () => page.evaluate(() => { const s = document.querySelector(".mermaid svg"); return s ? s.outerHTML : ""; });
    const light = await svg();
    await page.locator("button.theme-toggle").click();
    await page.waitForFunction((before) => {
      const s = document.querySelector(".mermaid svg");
      return s && s.outerHTML !== before;
    }, light, { timeout: 8000 }).catch(() => {});
    check((await svg()) !== light && (await svg()) !== "", "the diagram is not drawn again in the dark theme");
    return `${await page.locator(".mermaid svg").count()} diagram(s) on /${p}, redrawn on a change of theme`;
  });
});

await step("404: a missing page gets the site's 404 page", () => withPage({ expect404: ["no-such-page/"] }, async (page) => {
  const r = await page.goto(url("no-such-page/"), { waitUntil: "load" });
  check(r && r.status() === 404, `status ${r && r.status()}`);
  check(await page.locator("main").count() === 1, "the 404 page has no <main>");
  const css = await page.evaluate(() => [...document.styleSheets].some((s) => s.href && s.cssRules.length > 0));
  check(css, "the 404 page's stylesheet did not load from a nested URL");
  return "styled 404 page";
}));

await step("k. catalog: what the keyboard reaches is never under the sticky letters", () => withPage({ viewport: { width: 1280, height: 360 } }, async (page) => {
  await goto(page, "frameworks/");
  // From the last entry's last link upward, as a reader tabbing back does.
  await page.evaluate(() => { const links = document.querySelectorAll(".catalog a"); links[links.length - 1].focus(); });
  let checked = 0;
  for (let k = 0; k < 25; k++) {
    await page.keyboard.press("Shift+Tab");
    const hidden = await page.evaluate(() => {
      const a = document.activeElement, jump = document.querySelector(".jump");
      if (!a || !a.closest(".catalog")) return null;
      const r = a.getBoundingClientRect(), j = jump.getBoundingClientRect();
      return r.top < j.bottom - 1 ? `${a.textContent} at ${r.top}..${r.bottom}, letters end at ${j.bottom}` : "";
    });
    if (hidden === null) continue;
    checked++;
    check(hidden === "", `focus hidden: ${hidden}`);
  }
  check(checked >= 5, `only ${checked} catalog links reached`);
  return `${checked} links tabbed to, each below the letters`;
}));

for (const [name, p, opts] of [
  ["home", "", {}],
  ["playbook page", "career-strategy/", {}],
  ["frameworks", "frameworks/", {}],
  ["frameworks, page 2", "frameworks/page/2/", {}],
  ["playbook page, dark theme", "career-strategy/", { colorScheme: "dark" }],
  ["map", "map/", {}],
  ["print", "print/", {}],
  ["tags", "tags/", {}],
]) {
  await step(`j. axe: ${name} (/${p})`, () => withPage(opts, async (page) => {
    await goto(page, p);
    // The print page as it is printed: with every chapter gathered.
    if (p === "print/") await page.waitForSelector("body[data-print-ready]", { timeout: 10000 });
    return axe(page);
  }));
}

await step("j. axe: search results open", () => withPage({}, async (page) => {
  await goto(page, "");
  const input = page.locator("input#pb-search-input");
  check(await input.count() === 1, "no input#pb-search-input on the home page");
  await input.click();
  await page.keyboard.type("Buy vs Build");
  await page.locator("#pb-search-results a").first().waitFor({ state: "visible", timeout: 8000 });
  return axe(page);
}));

await step("k. screenshots", () => (async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const saved = [];
  for (const [size, viewport] of [["desktop", { width: 1280, height: 800 }], ["mobile", { width: 360, height: 740 }]]) {
    await withPage({ viewport }, async (page) => {
      for (const [name, p] of [["home", ""], ["playbook", "career-strategy/"]]) {
        await goto(page, p);
        await page.evaluate(() => document.fonts.ready);
        const file = path.join(ARTIFACTS, `${name}-${size}.png`);
        await page.screenshot({ path: file, fullPage: true });
        saved.push(path.basename(file));
      }
    });
  }
  return `${saved.join(", ")} in ${ARTIFACTS}`;
})());

currentStep = "i";
results.push(problems.length
  ? { name: "i. no console errors, HTTP errors or foreign requests", status: "fail", detail: problems.join("\n     ") }
  : { name: "i. no console errors, HTTP errors or foreign requests", status: "pass" });
{
  const r = results[results.length - 1];
  console.log(`${r.status === "pass" ? "PASS" : "FAIL"} ${r.name}${r.detail ? `:\n     ${r.detail}` : ""}`);
}

await browser.close();
server.close();

const passed = results.filter((r) => r.status === "pass").length;
const failed = results.filter((r) => r.status === "fail").length;
const skipped = results.filter((r) => r.status === "skip").length;
if (timings.searchLast != null) console.log(`search latency (last keystroke → results): ${timings.searchLast.toFixed(1)} ms`);
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
