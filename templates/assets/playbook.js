/* playbook reader script: sidebar from nav.js, theme toggle, menu, keys.
   The sidebar list lives in one shared nav.js instead of in every page, so
   the site grows linearly with the number of playbooks. */
(function () {
  "use strict";
  var root = document.documentElement;
  var body = document.body;
  var base = body.getAttribute("data-base") || "/";

  function buildSidebar() {
    var nav = window.PLAYBOOK_NAV;
    var sidebar = document.getElementById("sidebar");
    if (!nav || !sidebar) return;
    var here = location.pathname;
    var list = document.createElement("ul");
    nav.tracks.forEach(function (track) {
      var head = document.createElement("li");
      head.className = "nav-track";
      var ta = document.createElement("a");
      ta.href = track.u; ta.textContent = track.n;
      head.appendChild(ta);
      list.appendChild(head);
      track.p.forEach(function (p) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = p.u; a.textContent = p.t;
        if (here === p.u || here === p.u + "index.html") a.setAttribute("aria-current", "page");
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
      button.setAttribute("aria-pressed", dark ? "true" : "false");
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
