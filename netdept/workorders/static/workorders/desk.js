/* The engineer's desk, keyboard-friendly: j/k move between rows, Enter opens the row,
   x selects it, a selects every row of the page. No framework. */
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#wo-desk-table tbody tr.wo-row"));
  }

  function current() {
    return document.querySelector("#wo-desk-table tr.wo-row.table-active");
  }

  function focusRow(row) {
    var old = current();
    if (old) { old.classList.remove("table-active"); old.removeAttribute("aria-selected"); }
    if (!row) { return; }
    row.classList.add("table-active");
    row.setAttribute("aria-selected", "true");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function updateCount() {
    var out = document.getElementById("wo-selected-count");
    if (!out) { return; }
    var n = document.querySelectorAll("#wo-desk-table tbody input[name=ids]:checked").length;
    // the text comes translated from the template: "__N__ selected" / "已选择 __N__ 条"
    var fmt = (out.getAttribute("data-nd-text") || "__N__").replace("__N__", String(n));
    out.textContent = n ? fmt : "";
  }

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" && el.type !== "checkbox" || tag === "TEXTAREA" || tag === "SELECT" ||
      el.isContentEditable;
  }

  document.addEventListener("keydown", function (ev) {
    if (!document.getElementById("wo-desk-table") || ev.ctrlKey || ev.metaKey || ev.altKey) {
      return;
    }
    if (typing(ev.target)) { return; }
    var list = rows();
    if (!list.length) { return; }
    var row = current();
    var i = row ? list.indexOf(row) : -1;
    switch (ev.key) {
      case "j":
        focusRow(list[Math.min(i + 1, list.length - 1)]);
        break;
      case "k":
        focusRow(list[Math.max(i - 1, 0)]);
        break;
      case "Enter":
        if (row && ev.target.tagName !== "A" && ev.target.tagName !== "BUTTON") {
          window.location.href = row.getAttribute("data-href");
        } else { return; }
        break;
      case "x":
        if (row) {
          var box = row.querySelector("input[name=ids]");
          if (box) { box.checked = !box.checked; updateCount(); }
        }
        break;
      case "a":
        var boxes = document.querySelectorAll("#wo-desk-table tbody input[name=ids]");
        var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
        Array.prototype.forEach.call(boxes, function (b) { b.checked = !all; });
        var head = document.getElementById("wo-select-all");
        if (head) { head.checked = !all; }
        updateCount();
        break;
      default:
        return;
    }
    ev.preventDefault();
  });

  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.id === "wo-select-all") {
      var on = ev.target.checked;
      document.querySelectorAll("#wo-desk-table tbody input[name=ids]").forEach(function (b) {
        b.checked = on;
      });
    }
    if (ev.target && (ev.target.name === "ids" || ev.target.id === "wo-select-all")) {
      updateCount();
    }
  });

  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest("#wo-desk-table tr.wo-row");
    if (row && !ev.target.closest("a, input, button, label")) { focusRow(row); }
  });

  // A saved filter stores what the address bar shows now.
  document.addEventListener("submit", function (ev) {
    if (ev.target && ev.target.id === "wo-save-filter") {
      var q = ev.target.querySelector("input[name=query]");
      if (q) { q.value = window.location.search.replace(/^\?/, ""); }
    }
  });
})();
