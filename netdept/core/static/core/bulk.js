// Row selection of generic lists (core/_list_table.html): "select all on this page", the
// "all matching the filter" option, and the bulk buttons enabled while something is selected.
// Event delegation: the table is replaced by htmx when filtering or paging.
(function () {
  "use strict";
  function form(el) { return el.closest("[data-nd-bulk]"); }
  function refresh(f) {
    if (!f) return;
    var rows = f.querySelectorAll("[data-nd-select-row]");
    var picked = f.querySelectorAll("[data-nd-select-row]:checked").length;
    var all = f.querySelector("#nd-select-all");
    var page = f.querySelector("[data-nd-select-page]");
    var box = f.querySelector("[data-nd-select-all-box]");
    var whole = rows.length > 0 && picked === rows.length;
    if (page) { page.checked = whole; page.indeterminate = picked > 0 && !whole; }
    if (box) { box.classList.toggle("d-none", !whole); }
    if (all && !whole) { all.checked = false; }
    f.querySelectorAll("[data-nd-bulk-action]").forEach(function (b) { b.disabled = picked === 0; });
    var out = f.querySelector("[data-nd-selected-count]");
    if (out) {
      // the text comes translated from the template ("__N__ selected" / "已选择 __N__ 条")
      var text = (out.getAttribute("data-nd-text") || "__N__").replace("__N__", String(picked));
      out.textContent = picked === 0 || (all && all.checked) ? "" : text;
    }
  }
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (!(t instanceof HTMLInputElement)) return;
    var f = form(t);
    if (!f) return;
    if (t.hasAttribute("data-nd-select-page")) {
      f.querySelectorAll("[data-nd-select-row]").forEach(function (c) { c.checked = t.checked; });
    }
    refresh(f);
  });
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-nd-bulk]").forEach(refresh);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-nd-bulk]").forEach(refresh);
  });
})();
