/* Runs before the page is drawn (a blocking script in <head>): the reader's
   theme, or the system's, so the wrong one never flashes; and `js` on <html>,
   which tells the stylesheet that the menu button will work. */
(function () {
  var t = null;
  try { t = localStorage.getItem("playbook-theme"); } catch (e) {}
  if (t !== "light" && t !== "dark") {
    t = window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  var d = document.documentElement;
  d.setAttribute("data-theme", t);
  d.className += " js";
})();
