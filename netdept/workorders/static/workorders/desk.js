/* The engineer's desk, driven by the keyboard like a service desk: j/k (or the arrows) move
   between the orders, Enter opens one, x ticks it, * ticks the page, a accepts the current
   order, s assigns the ticked ones (or the current one), 1-6 switch queues, n/p turn pages,
   / searches, r reloads, c files a new order, ? shows the keys. The list (views_desk.KEYS)
   in the help dialog is the reference; every text comes translated from the template.
   No framework, no inline script (CSP): Bootstrap's modals, htmx to reload the table. */
(function () {
  "use strict";

  var TABLE = "#wo-desk-table";
  var busy = false;
  var remembered = null; // {id, index} of the current row across a reload of the table

  function $(selector, root) { return (root || document).querySelector(selector); }

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function rows() { return $all(TABLE + " tbody tr.wo-row"); }

  function current() { return $(TABLE + " tr.wo-row.table-active"); }

  function boxes() { return $all(TABLE + " tbody input[name=ids]"); }

  function ticked() { return boxes().filter(function (b) { return b.checked; }); }

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
    var n = ticked().length;
    // the text comes translated from the template: "__N__ selected" / "已选择 __N__ 条"
    var fmt = (out.getAttribute("data-nd-text") || "__N__").replace("__N__", String(n));
    out.textContent = n ? fmt : "";
  }

  function setAll(on) {
    boxes().forEach(function (b) { b.checked = on; });
    var head = document.getElementById("wo-select-all");
    if (head) { head.checked = on; }
    updateCount();
  }

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" && el.type !== "checkbox" || tag === "TEXTAREA" || tag === "SELECT" ||
      el.isContentEditable;
  }

  function text(name) {
    var status = document.getElementById("wo-key-status");
    return status ? status.getAttribute("data-" + name) || "" : "";
  }

  /* Said to screen readers (a live region), shown to nobody else. */
  function announce(message) {
    var status = document.getElementById("wo-key-status");
    if (status) { status.textContent = message; }
  }

  function clearAlerts() {
    var box = document.getElementById("wo-key-alerts");
    if (box) { box.textContent = ""; }
  }

  function alertBox(message) {
    var box = document.getElementById("wo-key-alerts");
    if (!box) { return; }
    box.textContent = ""; // one at a time: the answer to the last key
    var div = document.createElement("div");
    div.className = "alert alert-danger alert-dismissible py-2 mb-2";
    div.setAttribute("role", "alert");
    div.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close py-2";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", box.getAttribute("data-close") || "×");
    div.appendChild(close);
    box.appendChild(div);
  }

  function modal(id) {
    var el = document.getElementById(id);
    if (!el || !window.bootstrap) { return null; }
    return window.bootstrap.Modal.getOrCreateInstance(el);
  }

  function csrf() {
    var input = $("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* The table again (the partial of the desk: the rows, the messages of what was done, the
     tabs' counts out of band), keeping the current row. */
  function reload() {
    if (!window.htmx) { window.location.reload(); return; }
    var row = current();
    remembered = row ? { id: row.getAttribute("data-id"), index: rows().indexOf(row) } : null;
    window.htmx.ajax("GET", window.location.pathname + window.location.search,
      { target: "#desk-table", swap: "innerHTML" });
  }

  document.addEventListener("htmx:afterSwap", function (ev) {
    if (!ev.detail || !ev.detail.target || ev.detail.target.id !== "desk-table") { return; }
    updateCount();
    if (!remembered) { return; }
    var list = rows();
    var again = list.filter(function (r) { return r.getAttribute("data-id") === remembered.id; })[0];
    focusRow(again || list[Math.min(remembered.index, list.length - 1)]);
    remembered = null;
  });

  /* a: the machine's "accept" of the current order (the order page's own action, with the
     version the row showed: a change by someone else meanwhile is refused, not overwritten). */
  function accept(row) {
    if (busy) { return; }
    busy = true;
    clearAlerts();
    announce(text("accepting").replace("__NUMBER__", row.getAttribute("data-number") || ""));
    var body = new FormData();
    body.append("expected_version", row.getAttribute("data-version") || "");
    fetch(row.getAttribute("data-accept"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" }
    }).then(function (resp) {
      if (resp.status === 204) { return ""; } // done: the reloaded table says so
      if (resp.status === 403) { return text("denied"); }
      if (!resp.ok) { return text("failed"); }
      return resp.text().then(function (html) {
        // The action's form came back: the reason (not from this state, a conflict…) is in it.
        var doc = new DOMParser().parseFromString(html, "text/html");
        var said = $all(".wo-conflict, .alert-danger, .invalid-feedback", doc).map(function (el) {
          $all("a, button", el).forEach(function (a) { a.remove(); });
          return el.textContent.replace(/\s+/g, " ").trim();
        }).filter(Boolean);
        return said.length ? said.join(" ") : text("failed");
      });
    }).catch(function () {
      return text("failed");
    }).then(function (problem) {
      busy = false;
      if (problem) { alertBox(problem); announce(problem); }
      reload();
    });
  }

  /* s: the assign dialog for the ticked orders, or the current one. */
  function openAssign() {
    var row = current();
    var ids = ticked().map(function (b) { return b.value; });
    var single = !ids.length && row;
    if (single) { ids = [row.getAttribute("data-id")]; }
    if (!ids.length) { announce(text("no-row")); alertBox(text("no-row")); return; }
    var holder = document.getElementById("wo-assign-ids");
    holder.textContent = "";
    ids.forEach(function (id) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "ids";
      input.value = id;
      holder.appendChild(input);
    });
    var what = document.getElementById("wo-assign-what");
    what.textContent = single
      ? what.getAttribute("data-one").replace("__NUMBER__", row.getAttribute("data-number"))
      : what.getAttribute("data-many").replace("__N__", String(ids.length));
    var team = document.getElementById("wo-assign-team");
    var person = document.getElementById("wo-assign-assignee");
    preselect(team, single ? row.getAttribute("data-team") : "");
    preselect(person, single ? row.getAttribute("data-assignee") : "");
    var next = $("#wo-assign-form input[name=next]");
    if (next) { next.value = window.location.pathname + window.location.search; }
    var dialog = modal("wo-assign-modal");
    if (dialog) { dialog.show(); }
  }

  function preselect(select, value) {
    if (!select) { return; }
    var found = $all("option", select).some(function (o) { return o.value === value; });
    select.value = found ? value : "";
  }

  document.addEventListener("shown.bs.modal", function (ev) {
    if (ev.target && ev.target.id === "wo-assign-modal") {
      var person = document.getElementById("wo-assign-assignee");
      if (person) { person.focus(); }
    }
  });

  function follow(selector) {
    var link = $(selector);
    if (link) { window.location.href = link.href; return true; }
    return false;
  }

  function move(list, i, step) {
    if (i < 0) { focusRow(list[step > 0 ? 0 : list.length - 1]); return; }
    focusRow(list[Math.min(Math.max(i + step, 0), list.length - 1)]);
  }

  document.addEventListener("keydown", function (ev) {
    if (!document.getElementById("wo-desk-table") || ev.ctrlKey || ev.metaKey || ev.altKey) {
      return;
    }
    if (typing(ev.target) || $(".modal.show")) { return; } // a dialog handles its own keys
    var list = rows();
    var row = current();
    var i = row ? list.indexOf(row) : -1;
    var onRow = row && document.activeElement === row;
    var key = ev.key;
    if (/^[1-9]$/.test(key)) {
      if (!follow("#wo-queues a[data-key='" + key + "']")) { return; }
    } else {
      switch (key) {
        case "?":
          var help = modal("wo-keys-modal");
          if (!help) { return; }
          help.show();
          break;
        case "/":
          var search = $("#wo-filters [name=q]");
          if (!search) { return; }
          search.focus();
          search.select();
          break;
        case "c":
          if (!follow("#wo-new")) { return; }
          break;
        case "r":
          reload();
          break;
        case "n":
          if (!follow("#desk-table a[rel=next]")) { return; }
          break;
        case "p":
          if (!follow("#desk-table a[rel=prev]")) { return; }
          break;
        case "j":
          if (!list.length) { return; }
          move(list, i, 1);
          break;
        case "k":
          if (!list.length) { return; }
          move(list, i, -1);
          break;
        case "ArrowDown":
        case "ArrowUp":
          if (!onRow) { return; } // the arrows scroll the page until a row is chosen
          move(list, i, key === "ArrowDown" ? 1 : -1);
          break;
        case "Enter":
        case "o":
          if (!row || ev.target.tagName === "A" || ev.target.tagName === "BUTTON") { return; }
          window.location.href = row.getAttribute("data-href");
          break;
        case "x":
          if (!row) { return; }
          var box = row.querySelector("input[name=ids]");
          if (box) { box.checked = !box.checked; updateCount(); }
          break;
        case "*":
          var all = boxes();
          if (!all.length) { return; }
          setAll(!all.every(function (b) { return b.checked; }));
          break;
        case "Escape":
          if (!row && !ticked().length) { return; }
          setAll(false);
          focusRow(null);
          break;
        case "a":
          if (!row) { announce(text("no-row")); alertBox(text("no-row")); break; }
          accept(row);
          break;
        case "s":
          openAssign();
          break;
        default:
          return;
      }
    }
    ev.preventDefault();
  }, true); // capture: the desk's own keys come before the page-wide ones ("/": the desk's search)

  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.id === "wo-select-all") { setAll(ev.target.checked); }
    if (ev.target && ev.target.name === "ids") { updateCount(); }
  });

  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest(TABLE + " tr.wo-row");
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
