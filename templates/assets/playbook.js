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

/* Runs the script at `src` and then done(true), or done(false) if it could
   not load. The sidebar's lists and the search index come as scripts that
   hand their data to a function of this page's, not as fetches: browsers
   load scripts from disk too. A script asked for while it loads is loaded
   once; one that failed is asked for again the next time. */
window.PLAYBOOK_SCRIPT = (function () {
  var loading = {};
  return function (src, done) {
    if (loading[src]) { loading[src].push(done); return; }
    loading[src] = [done];
    var script = document.createElement("script");
    script.src = src;
    script.onload = script.onerror = function (e) {
      var waiting = loading[src];
      delete loading[src];
      script.remove();
      waiting.forEach(function (f) { f(e.type === "load"); });
    };
    document.head.appendChild(script);
  };
})();

/* playbook reader script: sidebar from nav.js, theme toggle, menu, keys.
   The sidebar list lives in one shared nav.js instead of in every page, so
   the site grows linearly with the number of playbooks. */
(function () {
  "use strict";
  var root = document.documentElement;
  var body = document.body;
  var base = body.getAttribute("data-base") || "/";

  /* Playbooks past which the sidebar shows the reader's track alone. */
  var FOLD_AFTER = 60;

  /* A big handbook lists each track's playbooks in a file of its own
     (`f`), a script that hands them to PLAYBOOK_NAV_TRACK: loaded when the
     track is first shown, then `then` runs (at once if they are in). */
  window.PLAYBOOK_NAV_TRACK = function (u, entries) {
    var nav = window.PLAYBOOK_NAV;
    (nav ? nav.tracks : []).forEach(function (t) { if (t.u === u) t.p = entries; });
  };
  function entriesOf(track, then, failed) {
    if (track.p) { then(); return; }
    /* Offline, or the file gone: the track shows closed, and opening it
       again tries again. */
    window.PLAYBOOK_SCRIPT(base + track.f, function () {
      if (track.p) then(); else if (failed) failed();
    });
  }

  function buildSidebar() {
    var link = window.PLAYBOOK_LINK;
    var nav = window.PLAYBOOK_NAV;
    var sidebar = document.getElementById("pb-sidebar");
    if (!nav || !sidebar) return;
    var pageTrack = body.getAttribute("data-track");
    /* This page's site path (`people/feedback/`), found once: resolving
       every playbook's URL to compare it with this page's was 10,000 URL
       parses on every page of a big handbook. */
    var root = new URL(base, location.href).pathname;
    var here = null;
    if (location.pathname.indexOf(root) === 0) {
      try { here = decodeURIComponent(location.pathname.slice(root.length)); } catch (e) { here = null; }
    }
    /* Whether site path `u` is this page (a folder, or its index.html from disk). */
    function isHere(u) {
      return here !== null && (here === u || here === u + "index.html");
    }
    var list = document.createElement("ul");
    /* How many playbooks a track has, listed yet or not. */
    function countOf(t) { return t.p ? t.p.length : t.c; }
    var total = nav.tracks.reduce(function (n, t) { return n + countOf(t); }, 0);
    /* A long list folds to the reader's track: the others open with their
       button. A short one stays open, as there is nothing to gain. */
    var fold = nav.tracks.length > 1 && total > FOLD_AFTER;
    nav.tracks.forEach(function (track) {
      var head = document.createElement("li");
      head.className = "nav-track";
      /* A track's entries, made when first shown: a big handbook's folded
         tracks would be thousands of hidden elements on every page. */
      var items = null;
      function make() {
        if (items) return items;
        items = track.p.map(function (p) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = link(p.u); a.textContent = p.t;
          if (isHere(p.u)) a.setAttribute("aria-current", "page");
          li.appendChild(a);
          return li;
        });
        var after = head;
        items.forEach(function (li) { after.after(li); after = li; });
        return items;
      }
      var ta = document.createElement("a");
      ta.href = link(track.u); ta.textContent = track.n;
      list.appendChild(head);
      if (fold) {
        /* Open on the track's own pages (its playbooks, its list, map and
           print pages say which track they are about). */
        var open = (pageTrack && track.u === "tracks/" + pageTrack + "/") || isHere(track.u) ||
          (track.p || []).some(function (p) { return isHere(p.u); });
        var button = document.createElement("button");
        button.type = "button";
        button.className = "nav-fold";
        var n = countOf(track);
        button.setAttribute("aria-label", track.n + ": " + n.toLocaleString("en-US") + " playbook" + (n === 1 ? "" : "s"));
        /* `first`: opened with the page, on the reader's own track. */
        var show = function (on, first) {
          button.setAttribute("aria-expanded", on ? "true" : "false");
          if (!on && !items) return;
          entriesOf(track, function () {
            /* As the button says by the time the list is in. */
            var now = button.getAttribute("aria-expanded") === "true";
            make().forEach(function (li) { li.hidden = !now; });
            if (first && now) revealCurrent();
          }, function () { button.setAttribute("aria-expanded", "false"); });
        };
        button.addEventListener("click", function () { show(button.getAttribute("aria-expanded") !== "true", false); });
        head.appendChild(button);
        head.appendChild(ta);
        show(open, true);
      } else {
        head.appendChild(ta);
        entriesOf(track, function () { make(); revealCurrent(); });
      }
    });
    var old = sidebar.querySelector("ul");
    if (old) sidebar.replaceChild(list, old); else sidebar.appendChild(list);
    revealCurrent();
  }

  /* With hundreds of playbooks the current one is far down the list: it is
     scrolled into the sidebar's view (not the page's), a third of the way
     down. A closed menu has no size; it is done again when it opens. */
  function revealCurrent() {
    var sidebar = document.getElementById("pb-sidebar");
    var current = sidebar && sidebar.querySelector('[aria-current="page"]');
    if (!current || !sidebar.clientHeight) return;
    var offset = current.getBoundingClientRect().top - sidebar.getBoundingClientRect().top;
    sidebar.scrollTop += offset - sidebar.clientHeight / 3;
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
      document.dispatchEvent(new Event("playbook:theme"));
    });
    show();
  }

  /* The sticky header's height, for the stylesheet: where anchor jumps stop
     and where the open menu starts. It changes as the header wraps. */
  function measureHeader() {
    var header = document.querySelector(".site-header");
    var jump = document.querySelector(".jump");
    if (!header) return function () {};
    function measure() {
      root.style.setProperty("--header-h", header.getBoundingClientRect().height + "px");
      if (jump) root.style.setProperty("--jump-h", jump.getBoundingClientRect().height + "px");
    }
    measure();
    window.addEventListener("resize", measure);
    return measure;
  }

  function setupMenu(measure) {
    var button = document.querySelector(".menu-toggle");
    var sidebar = document.getElementById("pb-sidebar");
    var header = document.querySelector(".site-header");
    if (!button || !sidebar) return;
    /* The open menu covers the page: what it covers is out of the tab
       order and of screen readers' reach until it closes. */
    var covered = [document.getElementById("pb-main"), document.querySelector(".site-footer")];
    function show(open) {
      sidebar.classList.toggle("open", open);
      if (header) header.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      covered.forEach(function (el) { if (el) el.inert = open; });
      measure();
      if (open) revealCurrent();
    }
    button.addEventListener("click", function () { show(!sidebar.classList.contains("open")); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && sidebar.classList.contains("open")) { show(false); button.focus(); }
    });
    /* Widened past the phone layout, the menu is a sidebar again. */
    window.addEventListener("resize", function () {
      if (sidebar.classList.contains("open") && getComputedStyle(button).display === "none") show(false);
    });
  }

  /* Whether box `el` scrolls, sideways or (`down`) up and down: it has
     more than it shows, and the stylesheet lets it scroll. */
  function scrolls(el, down) {
    var style = getComputedStyle(el);
    var across = el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(style.overflowX);
    return across || (!!down && el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(style.overflowY));
  }

  /* Whether `el` is in a box that scrolls sideways (a wide code block,
     table or map): arrow keys there scroll it. */
  function inSidewaysScroller(el) {
    for (; el && el.nodeType === 1 && el !== body; el = el.parentElement) {
      if (scrolls(el, false)) return true;
    }
    return false;
  }

  function setupKeys() {
    /* The browser scrolls the box last clicked in with the arrows, even
       when the focus stays on the page. */
    var clicked = null;
    document.addEventListener("pointerdown", function (e) { clicked = e.target; });
    /* Until the focus moves: then the keys go where it went. */
    document.addEventListener("focusin", function () { clicked = null; });
    document.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
      var t = e.target;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
      if (!rel || inSidewaysScroller(t) || inSidewaysScroller(clicked)) return;
      var link = document.querySelector('a[rel="' + rel + '"]');
      if (link) { location.href = link.href; }
    });
  }

  /* A box that scrolls (a wide code block or table, the map) is a tab
     stop, so that it can be scrolled from the keyboard (WCAG 2.1.1); one
     that fits is not, so the reader does not tab through every code
     block. Checked again as the window changes width, and by the print
     page once it has gathered its chapters. */
  window.PLAYBOOK_SCROLLERS = function () {
    document.querySelectorAll("pre, .table-wrap, .map-frame").forEach(function (el) {
      var scroller = scrolls(el, true);
      if (scroller && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroller", "");
      } else if (!scroller && el.hasAttribute("data-scroller")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroller");
      }
    });
  };
  function setupScrollers() {
    window.PLAYBOOK_SCROLLERS();
    var timer = null;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(window.PLAYBOOK_SCROLLERS, 150);
    }
    window.addEventListener("resize", later);
    /* A folded <details> has no size until it opens. */
    document.addEventListener("toggle", later, true);
  }

  /* Folded <details> print open: paper cannot be clicked. */
  function setupPrint() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
        d.open = true;
        return true;
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    });
  }

  buildSidebar();
  setupTheme();
  setupPrint();
  setupMenu(measureHeader());
  setupKeys();
  setupScrollers();
  window.PLAYBOOK_BASE = base;
})();

/* Search: the index is a script loaded on first use, so it costs nothing
   until the reader searches and works from file:// as well as a server. */
(function () {
  "use strict";
  var input = document.getElementById("pb-search-input");
  if (!input) return;
  /* The results' list is made here, not sent in every page: search needs
     this script anyway. (A theme may still put one in its pages.) */
  var list = document.getElementById("pb-search-results");
  if (!list) {
    list = document.createElement("ul");
    list.id = "pb-search-results";
    list.className = "search-results";
    list.setAttribute("aria-label", "Search results");
    input.parentNode.appendChild(list);
  }
  input.setAttribute("aria-controls", list.id);
  var base = document.body.getAttribute("data-base") || "/";

  /* The index comes in parts (made by src/search.rs): `index` says how the
     rest is split, `w<n>` holds the words from the index's bound n up to
     the next one and the documents each is in, `d<n>` what the results of
     a block of documents show. A search loads only the parts of its words
     and of its best results, however big the handbook. Each part is a
     script handing its data to PLAYBOOK_SEARCH_PART, so search works from
     file:// too. */
  var parts = {};
  /* A part ends with its version, a hash of what it holds, which the index
     lists too. One that differs means this page's index is an earlier
     build's, from the browser's cache: the part is not kept, and the
     search asks for the index again past the cache (`fresh`) and starts
     over. A part asked for under another index than this page has now
     (one let go while the part loaded) is not kept, and says nothing of
     this one; nor is one that comes in while there is no index. */
  var staleIndex = null;
  var fresh = "";
  window.PLAYBOOK_SEARCH_PART = function (name, data, v) {
    if (name === "index") { parts.index = data; return; }
    if (!parts.index) return;
    var listed = versionOf(name);
    var asked = askedVersion();
    if (asked !== undefined && asked !== listed) return;
    if (v !== undefined && v !== listed) { staleIndex = parts.index; return; }
    parts[name] = data;
  };
  /* The version the running part was asked for at (`?v=`), if it says.
     (A page's element named "currentScript" would stand in for the
     script: only a string address is read.) */
  function askedVersion() {
    var script = document.currentScript;
    var src = script && typeof script.src === "string" ? script.src : "";
    var v = /\?v=(\w+)$/.exec(src);
    return v ? v[1] : undefined;
  }
  /* A part's version as the index lists it (`w3` is the fourth of wv). */
  function versionOf(name) {
    var list = parts.index[name.charAt(0) === "w" ? "wv" : "dv"];
    return list ? list[+name.slice(1)] : undefined;
  }

  /* Calls done(true) once every part named is in, or done(false) if one
     could not load. */
  function load(names, done) {
    var left = names.length;
    var ok = true;
    if (!left) { done(true); return; }
    names.forEach(function (name) {
      var settle = function () { ok = ok && name in parts; if (--left === 0) done(ok); };
      if (name in parts) { settle(); return; }
      /* The other parts are asked for at their version: never one cached
         from another build. */
      var src = "assets/search-index.js" + fresh;
      if (name !== "index") {
        var v = versionOf(name);
        src = "assets/search/" + name + ".js" + (v ? "?v=" + v : "");
      }
      window.PLAYBOOK_SCRIPT(base + src, settle);
    });
  }

  function unique(list) {
    return list.filter(function (x, i) { return list.indexOf(x) === i; });
  }

  /* A query's words as the index has them (see `words` in src/search.rs):
     lower case, without accents, split at anything but letters and digits,
     without words too short or too common to tell playbooks apart, and
     text in scripts written without spaces as its pairs of characters and
     its last character.
     (A browser without Unicode classes in its regular expressions goes
     without search, not without the rest of this script.) */
  var SPLIT, UNSPACED;
  try {
    SPLIT = new RegExp("[^\\p{Alphabetic}\\p{N}]+", "u");
    UNSPACED = new RegExp("[\\u0e00-\\u0eff\\u3005-\\u3007\\u303b\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3ffff}]", "u");
  } catch (e) {
    return;
  }
  var STOP = Object.create(null);
  ["an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "that", "the",
   "this", "to", "was", "we", "with"].forEach(function (w) { STOP[w] = true; });
  function fold(text) {
    var nfkd = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f\u3099\u309a\u0e47-\u0e4e\u0ec8-\u0ece]/g, "");
    return Array.from(nfkd).map(function (c) { return c.toLowerCase(); }).join("");
  }
  function kept(w) { return Array.from(w).length >= 2 && !STOP[w]; }
  function words(text) {
    var out = [];
    fold(text).split(SPLIT).forEach(function (word) {
      var chars = Array.from(word);
      for (var i = 0; i < chars.length;) {
        var run = UNSPACED.test(chars[i]);
        var j = i;
        while (j < chars.length && UNSPACED.test(chars[j]) === run) j++;
        if (run) {
          /* Its pairs and its last character alone, as the index has them:
             one character is found wherever it is, as the start of a
             piece, and a title's words count the same on both sides. */
          for (var p = i; p + 1 < j; p++) out.push(chars[p] + chars[p + 1]);
          out.push(chars[j - 1]);
        } else {
          var spaced = chars.slice(i, j).join("");
          if (kept(spaced)) out.push(spaced);
        }
        i = j;
      }
    });
    return out;
  }
  /* The words to look for: the word still being typed counts even if it
     is a common one ("in" on the way to "incident"), as the start of a word. */
  function terms(query) {
    var found = words(query);
    var typing = fold(query).split(SPLIT).pop();
    if (typing && STOP[typing]) found.push(typing);
    return unique(found);
  }

  /* The first place in the sorted `list` whose item is `past` what is
     looked for (`past` is false up to some place, then true), or its
     length. */
  function firstPast(list, past) {
    var lo = 0, hi = list.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (past(list[mid])) hi = mid; else lo = mid + 1; }
    return lo;
  }

  /* The parts with the words that start with `term`: the part of the last
     bound not after it, and the next ones while their bounds start with it
     (see `bound` in src/search.rs). */
  function partsOf(term, bounds) {
    var lo = firstPast(bounds, function (b) { return b > term; });
    var names = [];
    for (var i = Math.max(lo - 1, 0); i < bounds.length && (i < lo || bounds[i].indexOf(term) === 0); i++) names.push("w" + i);
    return names;
  }

  /* Each part's words in order, to find those a term starts. */
  var sorted = {};
  /* The documents with a word that starts with `term`, in the parts
     named: id -> what ranks them (see META_BITS in src/search.rs), the
     best of their words. */
  function found(term, names) {
    var docs = {};
    names.forEach(function (name) {
      var part = parts[name];
      var list = sorted[name] || (sorted[name] = Object.keys(part).sort());
      for (var i = firstPast(list, function (w) { return w >= term; }); i < list.length && list[i].indexOf(term) === 0; i++) {
        var postings = part[list[i]];
        /* Above the index's bits: a word of the title is the term, not
           only its start. */
        var whole = list[i] === term ? 512 : 0;
        var id = 0;
        for (var j = 0; j < postings.length; j++) {
          id += Math.floor(postings[j] / 512);
          docs[id] = (docs[id] || 0) | postings[j] % 512 | (postings[j] % 2 ? whole : 0);
        }
      }
    });
    return docs;
  }

  var KIND = { p: "page", s: "section", f: "framework", e: "exit-game", m: "story" };
  /* By kind, in the order of KINDS in src/search.rs. */
  var KIND_BONUS = [40, 10, 30, 30, 20];
  var SHOWN = 20;

  function rank(terms, names) {
    var each = terms.map(function (term, i) { return found(term, names[i]); });
    var ids = Object.keys(each.reduce(function (a, b) { return Object.keys(a).length <= Object.keys(b).length ? a : b; }));
    var hits = [];
    ids.forEach(function (key) {
      var score = 0;
      var inTitle = 0;
      var whole = 0;
      var meta = 0;
      for (var i = 0; i < each.length; i++) {
        meta = each[i][key];
        if (meta === undefined) return;
        if (meta & 1) { score += 50; inTitle++; } else score += 5;
        if (meta & 512) whole++;
      }
      /* A title that is the query ranks first, then one it starts. */
      if (inTitle === terms.length) {
        if (whole === terms.length && ((meta >> 2) & 15) === terms.length) score += 10000;
        else if (each[0][key] & 2) score += 600;
        else score += 300;
      }
      score += KIND_BONUS[(meta & 511) >> 6] || 0;
      hits.push({ s: score, id: +key });
    });
    hits.sort(function (a, b) { return b.s - a.s || a.id - b.id; });
    return { hits: hits.slice(0, SHOWN), total: hits.length };
  }

  /* Block n's documents as results show them. */
  var blocks = {};
  function results(n) {
    if (blocks[n]) return blocks[n];
    var out = [];
    parts["d" + n].forEach(function (page) {
      page[3].forEach(function (r) {
        out.push({ t: r[0] || page[0], p: r[0] ? page[0] : "", g: page[2] || "", u: page[1] + (r[1] ? "#" + r[1] : ""), k: KIND[r[2]] });
      });
    });
    return (blocks[n] = out);
  }

  /* The block of document `id`: the last whose first document is not after it. */
  function blockOf(id, firsts) {
    return Math.max(firstPast(firsts, function (f) { return f > id; }) - 1, 0);
  }

  /* Searches again with a fresh index, letting the stale one go unless
     another search already has (twice at most: a deploy may be under way).
     A part that does not load from an index the browser may have cached
     goes this way too: it may be one this build no longer has. */
  function again(index, query, done, tries) {
    if (tries >= 2) { done({ failed: true }); return; }
    if (parts.index === index) {
      parts = {};
      sorted = {};
      blocks = {};
      fresh = "?t=" + Date.now();
    }
    search(query, done, tries + 1);
  }

  /* Calls done({hits, total}), or done({failed: true}) when a part of the
     index could not load. */
  function search(query, done, tries) {
    var looked = terms(query);
    /* One letter finds nothing yet: nothing to say either. */
    if (!looked.length) { done({ hits: [], total: 0, early: true }); return; }
    load(["index"], function (ok) {
      if (!ok) { done({ failed: true }); return; }
      var index = parts.index;
      /* Whether the search goes on after a load: not if the index was let
         go under it or found stale (it starts over), nor if a part failed
         (with an index the browser may have cached, it starts over too). */
      var onward = function (ok) {
        var stale = parts.index !== index || staleIndex === index;
        if (stale || (!ok && !fresh)) again(index, query, done, tries || 0);
        else if (!ok) done({ failed: true });
        return ok && !stale;
      };
      var names = looked.map(function (t) { return partsOf(t, index.w); });
      load(unique([].concat.apply([], names)), function (ok) {
        if (!onward(ok)) return;
        var best = rank(looked, names);
        var ns = best.hits.map(function (h) { return blockOf(h.id, index.d); });
        load(unique(ns).map(function (n) { return "d" + n; }), function (ok) {
          if (!onward(ok)) return;
          /* A part cached from an older build may not have the document. */
          best.hits = best.hits.map(function (h, i) { return { d: results(ns[i])[h.id - index.d[ns[i]]] }; })
            .filter(function (h) { return h.d; });
          done(best);
        });
      });
    });
  }

  var KIND_LABEL = { page: "Playbook", framework: "Framework", "exit-game": "Exit game", story: "Story Mode", section: "Section" };

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  list.parentNode.appendChild(status);

  /* Searches run as the reader types; only the latest one shows. */
  var asked = 0;

  function close() {
    asked++;
    list.textContent = "";
  }

  function note(text) {
    var li = document.createElement("li");
    li.className = "search-empty";
    li.textContent = text;
    list.appendChild(li);
  }

  /* Shows the results of what is in the box, then calls then(). */
  function show(then) {
    var query = input.value.trim();
    var mine = ++asked;
    /* Untrimmed: a space after the last word says it is finished. */
    search(input.value, function (found) {
      if (mine !== asked) return;
      list.textContent = "";
      if (found.failed) {
        note("Search could not load: check the connection and type again");
        status.textContent = "Search could not load";
        return;
      }
      var hits = found.hits;
      hits.forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = window.PLAYBOOK_LINK(h.d.u);
        a.textContent = h.d.t;
        var where = document.createElement("span");
        where.className = "result-where";
        /* The track tells apart playbooks of the same title. */
        where.textContent = [KIND_LABEL[h.d.k], h.d.p, h.d.g].filter(Boolean).join(" \u00b7 ");
        a.appendChild(where);
        li.appendChild(a);
        list.appendChild(li);
      });
      if (found.total > hits.length) {
        note("The best " + hits.length + " of " + found.total + " results: add a word to narrow them");
      } else if (!hits.length && query && !found.early) {
        note("No results for \u201c" + query + "\u201d");
      }
      status.textContent = query && !found.early ? (found.total ? found.total + (found.total === 1 ? " result" : " results") : "No results") : "";
      if (then) then();
    });
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  /* The index's first part loads when the reader means to search (a
     click or tap on the box, or "/"), not when Tab passes through it. */
  function prefetch() { load(["index"], function () {}); }
  input.addEventListener("pointerdown", prefetch);
  input.addEventListener("input", function () { show(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      show(function () {
        var first = list.querySelector("a");
        if (first) location.href = first.href;
      });
      e.preventDefault();
    } else if (e.key === "ArrowDown") {
      var first = links()[0];
      if (first) { first.focus(); e.preventDefault(); }
    } else if (e.key === "Escape") {
      input.value = "";
      close();
    }
  });
  /* Arrows move through the results, Escape goes back to the box. */
  list.addEventListener("keydown", function (e) {
    var shown = links();
    var at = shown.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && at >= 0 && at < shown.length - 1) { shown[at + 1].focus(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && at > 0) { shown[at - 1].focus(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && at === 0) { input.focus(); e.preventDefault(); }
    else if (e.key === "Escape") { close(); input.focus(); e.preventDefault(); }
  });
  /* The list closes when the reader goes elsewhere, and comes back with
     the box. */
  document.addEventListener("click", function (e) {
    if (!list.parentNode.contains(e.target)) close();
  });
  list.parentNode.addEventListener("focusout", function (e) {
    if (!e.relatedTarget || !list.parentNode.contains(e.relatedTarget)) close();
  });
  /* Safari does not focus a link it is clicking: the box would lose the
     focus to nothing, closing the results before the click lands. */
  list.addEventListener("mousedown", function (e) { e.preventDefault(); });
  input.addEventListener("click", function () { if (input.value.trim()) show(); });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "/" || (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable))) return;
    e.preventDefault();
    input.focus();
    prefetch();
  });
})();

/* Mermaid diagrams: the library ships with the site and is loaded only on
   pages that have a diagram, themed like the page. The print page calls it
   again once it has gathered its chapters. */
window.PLAYBOOK_DIAGRAMS = function () {
  "use strict";
  var pres = document.querySelectorAll("pre.mermaid");
  if (!pres.length) return;
  /* Each diagram keeps its source, to be drawn again in another theme. */
  pres.forEach(function (pre) {
    if (!pre.hasAttribute("data-processed") && !pre.hasAttribute("data-source")) {
      pre.setAttribute("data-source", pre.textContent);
    }
  });
  var draw = function () {
    var dark = document.documentElement.getAttribute("data-theme") === "dark";
    window.mermaid.initialize({ startOnLoad: false, theme: dark ? "dark" : "default", securityLevel: "strict" });
    window.mermaid.run({ querySelector: "pre.mermaid" });
  };
  if (window.mermaid) { draw(); return; }
  var base = document.body.getAttribute("data-base") || "/";
  window.PLAYBOOK_SCRIPT(base + "assets/mermaid.min.js", function () { if (window.mermaid) draw(); });
};
window.PLAYBOOK_DIAGRAMS();
document.addEventListener("playbook:theme", function () {
  "use strict";
  var drawn = document.querySelectorAll("pre.mermaid[data-processed][data-source]");
  if (!drawn.length || !window.mermaid) return;
  drawn.forEach(function (pre) {
    pre.removeAttribute("data-processed");
    pre.textContent = pre.getAttribute("data-source");
  });
  window.PLAYBOOK_DIAGRAMS();
});

/* Print page: each chapter's text is fetched from its playbook's page, so
   the handbook's text is published once. Ids get the chapter's prefix to
   stay unique on the page. When every chapter is in, body gets
   data-print-ready. (A relative site, read from disk, has them inline.) */
(function () {
  "use strict";
  if (!document.querySelector("article.print-chapter")) return;
  /* `?track=people` prints that track alone (from its page's link): a
     whole big handbook is minutes to print and megabytes of PDF. */
  var only = new URLSearchParams(location.search).get("track");
  if (only) {
    document.querySelectorAll("article.print-chapter").forEach(function (article) {
      if (article.getAttribute("data-track") === only) return;
      var entry = document.querySelector('.print-toc a[href="#' + article.id + '"]');
      if (entry) entry.parentNode.remove();
      article.remove();
    });
  }
  /* A chapter's title is its h2: the headings of its story and body go
     a level down, so that they nest under it for a reader going by
     headings (and in the PDF's outline). HTML has no h7: an h6 stays. */
  function nest(root) {
    root.querySelectorAll("h1, h2, h3, h4, h5").forEach(function (h) {
      var lower = document.createElement("h" + (Number(h.tagName.charAt(1)) + 1));
      Array.prototype.forEach.call(h.attributes, function (a) { lower.setAttribute(a.name, a.value); });
      while (h.firstChild) lower.appendChild(h.firstChild);
      h.replaceWith(lower);
    });
  }
  document.querySelectorAll("article.print-chapter:not([data-src]) > .story-card, article.print-chapter:not([data-src]) > .playbook-body").forEach(nest);
  var chapters = document.querySelectorAll("article.print-chapter[data-src]");
  var status = document.getElementById("pb-print-status");
  var total = chapters.length, left = total, failed = 0, next = 0;

  function prefixIds(root, prefix) {
    root.querySelectorAll("[id]").forEach(function (el) { el.id = prefix + el.id; });
    root.querySelectorAll("[aria-labelledby]").forEach(function (el) {
      var ids = el.getAttribute("aria-labelledby").split(/\s+/);
      el.setAttribute("aria-labelledby", ids.map(function (id) { return prefix + id; }).join(" "));
    });
    root.querySelectorAll('a[href^="#"]').forEach(function (a) {
      a.setAttribute("href", "#" + prefix + a.getAttribute("href").slice(1));
    });
  }

  function fill(article, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var parts = page.querySelectorAll("article.playbook > .story-card, article.playbook > .playbook-body");
    if (!parts.length) throw new Error("no playbook on the page");
    var holder = document.createElement("div");
    parts.forEach(function (part) { holder.appendChild(document.importNode(part, true)); });
    prefixIds(holder, article.getAttribute("data-prefix"));
    nest(holder);
    var pending = article.querySelector(".print-pending");
    while (holder.firstChild) article.insertBefore(holder.firstChild, pending);
    if (pending) pending.remove();
  }

  /* A link to another chapter, or to a section of one, goes there on this
     page (and in the PDF), not to the playbook's own page. */
  function linkChapters() {
    var prefixes = {};
    chapters.forEach(function (article) {
      prefixes[new URL(article.getAttribute("data-src"), location.href).pathname] = article.getAttribute("data-prefix");
    });
    document.querySelectorAll("article.print-chapter a[href]").forEach(function (a) {
      var u = new URL(a.getAttribute("href"), location.href);
      var prefix = u.origin === location.origin ? prefixes[u.pathname] : undefined;
      if (prefix === undefined) return;
      var id = prefix + (u.hash ? decodeURIComponent(u.hash.slice(1)) : "top");
      if (document.getElementById(id)) a.setAttribute("href", "#" + id);
    });
  }

  /* A Story Mode card is a region named by its title, and two chapters'
     stories can share one ("Story Mode: The Staff"): each is named with
     its chapter too, so no two regions of the page sound alike. */
  function nameStories() {
    /* Chapters are numbered as the contents number them; two chapters can
       share a title too. */
    var toc = document.querySelector(".print-toc ol");
    var first = (toc && parseInt(toc.getAttribute("start"), 10)) || 1;
    document.querySelectorAll("article.print-chapter").forEach(function (article, k) {
      var chapter = article.querySelector(".print-title");
      article.querySelectorAll(".story-card").forEach(function (card) {
        var title = card.querySelector(".story-title");
        if (!chapter || !title) return;
        card.setAttribute("aria-label", title.textContent.replace(/\s+/g, " ").trim() + ", in chapter " + (first + k) + ", " + chapter.textContent.trim());
        card.removeAttribute("aria-labelledby");
      });
    });
  }

  function finish() {
    linkChapters();
    nameStories();
    if (status) {
      status.textContent = failed
        ? (total - failed) + " of " + total + " playbooks gathered; the others could not be loaded and are linked in place."
        : (total === 1 ? "The playbook is" : "All " + total + " playbooks are") + " on this page: print it, or save it as PDF.";
    }
    window.PLAYBOOK_DIAGRAMS();
    /* Once for all the chapters: a layout per chapter as it came in was
       hundreds of layouts of a growing page. */
    if (window.PLAYBOOK_SCROLLERS) window.PLAYBOOK_SCROLLERS();
    document.body.setAttribute("data-print-ready", "");
  }

  function fetchNext() {
    if (next >= total) return;
    var article = chapters[next++];
    fetch(article.getAttribute("data-src"))
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { fill(article, html); })
      .catch(function () { failed++; })
      .then(function () {
        left--;
        if (left === 0) finish();
        else {
          /* A tenth at a time: the line is read out to screen readers. */
          var done = total - left;
          if (status && done % Math.ceil(total / 10) === 0) status.textContent = "Gathering the playbooks for printing: " + done + " of " + total + "\u2026";
          fetchNext();
        }
      });
  }

  if (!total) { nameStories(); document.body.setAttribute("data-print-ready", ""); return; }
  for (var i = 0; i < 6; i++) fetchNext();
})();
