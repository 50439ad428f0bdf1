/* A site path as a link from this page. A relative site (base "../")
   may be opened from disk, where a folder URL shows a file listing, so its
   links name index.html. */
window.PLAYBOOK_LINK = function (sitePath) {
  var base = document.body.getAttribute("data-base") || "/";
  if (base.charAt(0) === "/") return base + sitePath;
  var parts = sitePath.split("#");
  if (parts[0] === "" || parts[0].slice(-1) === "/") parts[0] += "index.html";
  return base + parts.join("#");
};

/* playbook reader script: sidebar from nav.js, theme toggle, menu, keys.
   The sidebar list lives in one shared nav.js instead of in every page, so
   the site grows linearly with the number of playbooks. */
(function () {
  "use strict";
  var root = document.documentElement;
  var body = document.body;
  var base = body.getAttribute("data-base") || "/";

  function buildSidebar() {
    var link = window.PLAYBOOK_LINK;
    var nav = window.PLAYBOOK_NAV;
    var sidebar = document.getElementById("sidebar");
    if (!nav || !sidebar) return;
    var here = location.pathname;
    function abs(u) { return new URL(base + u, location.href).pathname; }
    var list = document.createElement("ul");
    nav.tracks.forEach(function (track) {
      var head = document.createElement("li");
      head.className = "nav-track";
      var ta = document.createElement("a");
      ta.href = link(track.u); ta.textContent = track.n;
      head.appendChild(ta);
      list.appendChild(head);
      track.p.forEach(function (p) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = link(p.u); a.textContent = p.t;
        if (here === abs(p.u) || here === abs(p.u) + "index.html") a.setAttribute("aria-current", "page");
        li.appendChild(a);
        list.appendChild(li);
      });
    });
    var old = sidebar.querySelector("ul");
    if (old) sidebar.replaceChild(list, old); else sidebar.appendChild(list);
  }

  function setupTheme() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    function show() {
      var dark = root.getAttribute("data-theme") === "dark";
      button.textContent = dark ? "Light mode" : "Dark mode";
    }
    button.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("playbook-theme", next); } catch (e) {}
      show();
    });
    show();
  }

  function setupMenu() {
    var button = document.querySelector(".menu-toggle");
    var sidebar = document.getElementById("sidebar");
    if (!button || !sidebar) return;
    button.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function setupKeys() {
    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      var t = e.target;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
      var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
      if (!rel) return;
      var link = document.querySelector('a[rel="' + rel + '"]');
      if (link) { location.href = link.href; }
    });
  }

  buildSidebar();
  setupTheme();
  setupMenu();
  setupKeys();
  window.PLAYBOOK_BASE = base;
})();

/* Search: the index is a script loaded on first use, so it costs nothing
   until the reader searches and works from file:// as well as a server. */
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  if (!input || !list) return;
  var base = document.body.getAttribute("data-base") || "/";
  var docs = null;
  var requested = false;
  var waiting = [];

  function norm(s) {
    return s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function ready(fn) {
    if (docs) { fn(); return; }
    waiting.push(fn);
    if (requested) return;
    requested = true;
    var script = document.createElement("script");
    script.src = base + "assets/search-index.js";
    script.onload = function () {
      docs = (window.PLAYBOOK_SEARCH || []).map(function (d) {
        return { d: d, t: norm(d.t), x: norm(d.p + " " + d.x) };
      });
      var fns = waiting; waiting = [];
      fns.forEach(function (f) { f(); });
    };
    document.head.appendChild(script);
  }

  var KIND_BONUS = { page: 40, framework: 30, "exit-game": 30, story: 20, section: 10 };

  function rank(query) {
    var q = norm(query.trim());
    if (!q) return [];
    var terms = q.split(/\s+/);
    var hits = [];
    for (var i = 0; i < docs.length; i++) {
      var doc = docs[i];
      var score = 0;
      var all = true;
      for (var j = 0; j < terms.length; j++) {
        var term = terms[j];
        if (doc.t.indexOf(term) >= 0) score += 50;
        else if (doc.x.indexOf(term) >= 0) score += 5;
        else { all = false; break; }
      }
      if (!all) continue;
      /* An exact title match always ranks first. */
      if (doc.t === q) score += 10000;
      else if (doc.t.indexOf(q) === 0) score += 600;
      else if (doc.t.indexOf(q) > 0) score += 300;
      score += KIND_BONUS[doc.d.k] || 0;
      hits.push({ s: score, d: doc.d, i: i });
    }
    hits.sort(function (a, b) { return b.s - a.s || a.i - b.i; });
    return hits.slice(0, 20);
  }

  var KIND_LABEL = { page: "Playbook", framework: "Framework", "exit-game": "Exit game", story: "Story Mode", section: "Section" };

  function show() {
    var hits = rank(input.value);
    list.textContent = "";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = window.PLAYBOOK_LINK(h.d.u);
      a.textContent = h.d.t;
      var where = document.createElement("span");
      where.className = "result-where";
      where.textContent = KIND_LABEL[h.d.k] + (h.d.p ? " · " + h.d.p : "");
      a.appendChild(where);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  input.addEventListener("focus", function () { ready(function () {}); });
  input.addEventListener("input", function () { ready(show); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      ready(function () {
        show();
        var first = list.querySelector("a");
        if (first) location.href = first.href;
      });
      e.preventDefault();
    } else if (e.key === "Escape") {
      input.value = "";
      list.textContent = "";
    }
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "/" || (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable))) return;
    e.preventDefault();
    input.focus();
  });
})();

/* Mermaid diagrams: the library ships with the site and is loaded only on
   pages that have a diagram, themed like the page. */
(function () {
  "use strict";
  if (!document.querySelector("pre.mermaid")) return;
  var base = document.body.getAttribute("data-base") || "/";
  var script = document.createElement("script");
  script.src = base + "assets/mermaid.min.js";
  script.onload = function () {
    if (!window.mermaid) return;
    var dark = document.documentElement.getAttribute("data-theme") === "dark";
    window.mermaid.initialize({ startOnLoad: false, theme: dark ? "dark" : "default", securityLevel: "strict" });
    window.mermaid.run({ querySelector: "pre.mermaid" });
  };
  document.head.appendChild(script);
})();
