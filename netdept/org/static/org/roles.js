/* The role editor's permission grid (org/widgets/permission_grid.html): search, "granted only",
   select all per row, column and module, counts, and a warning when the ticked rights combine
   two separated duties (三员; the server refuses such a role anyway). No inline script: the
   page's Content-Security-Policy forbids it. Works after htmx swaps the form (delegated events). */
(function () {
  "use strict";

  function boxes(scope) {
    return Array.prototype.slice.call(
      scope.querySelectorAll("input[type=checkbox][data-perm]")
    );
  }

  function visibleRows(module) {
    return Array.prototype.slice
      .call(module.querySelectorAll("[data-nd-perm-row]"))
      .filter(function (row) { return !row.hidden; });
  }

  function setToggle(toggle, list) {
    var enabled = list.filter(function (b) { return !b.disabled; });
    var on = enabled.filter(function (b) { return b.checked; }).length;
    toggle.checked = enabled.length > 0 && on === enabled.length;
    toggle.indeterminate = on > 0 && on < enabled.length;
  }

  function refresh(editor) {
    var all = boxes(editor);
    var checked = all.filter(function (b) { return b.checked; });
    var count = editor.querySelector("[data-nd-perm-count]");
    if (count && count.dataset.format) {
      count.textContent = count.dataset.format
        .replace("__N__", String(checked.length))
        .replace("__TOTAL__", String(all.length));
    }
    editor.querySelectorAll("[data-nd-perm-module]").forEach(function (module) {
      var inModule = boxes(module);
      var badge = module.querySelector("[data-nd-perm-module-count]");
      if (badge) {
        var on = inModule.filter(function (b) { return b.checked; }).length;
        badge.textContent = on + " / " + inModule.length;
      }
      var rows = visibleRows(module);
      var shown = [];
      rows.forEach(function (row) { shown = shown.concat(boxes(row)); });
      module.querySelectorAll("[data-nd-perm-toggle=module]").forEach(function (t) {
        setToggle(t, shown);
      });
      module.querySelectorAll("[data-nd-perm-toggle=col]").forEach(function (t) {
        setToggle(t, shown.filter(function (b) { return b.dataset.action === t.dataset.action; }));
      });
      module.querySelectorAll("[data-nd-perm-row]").forEach(function (row) {
        var t = row.querySelector("[data-nd-perm-toggle=row]");
        if (t) { setToggle(t, boxes(row)); }
      });
    });
    var duties = {};
    checked.forEach(function (b) { if (b.dataset.duty) { duties[b.dataset.duty] = true; } });
    var warning = editor.querySelector("[data-nd-duty-warning]");
    if (warning) { warning.classList.toggle("d-none", Object.keys(duties).length < 2); }
  }

  function filter(editor) {
    var input = editor.querySelector("[data-nd-perm-search]");
    var grantedOnly = editor.querySelector("[data-nd-perm-granted]");
    var terms = (input ? input.value : "").toLowerCase().split(/\s+/).filter(Boolean);
    var onlyGranted = grantedOnly && grantedOnly.checked;
    var any = false;
    editor.querySelectorAll("[data-nd-perm-module]").forEach(function (module) {
      var seen = false;
      module.querySelectorAll("[data-nd-perm-row]").forEach(function (row) {
        var text = row.dataset.search || "";
        var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
        if (match && onlyGranted) {
          match = boxes(row).some(function (b) { return b.checked; });
        }
        row.hidden = !match;
        seen = seen || match;
      });
      module.hidden = !seen;
      any = any || seen;
    });
    var none = editor.querySelector("[data-nd-perm-none]");
    if (none) { none.classList.toggle("d-none", any); }
    refresh(editor);
  }

  function apply(toggle) {
    var editor = toggle.closest("[data-nd-perm-editor]");
    var kind = toggle.dataset.ndPermToggle;
    var targets = [];
    if (kind === "row") {
      targets = boxes(toggle.closest("[data-nd-perm-row]"));
    } else {
      var module = toggle.closest("[data-nd-perm-module]");
      visibleRows(module).forEach(function (row) { targets = targets.concat(boxes(row)); });
      if (kind === "col") {
        targets = targets.filter(function (b) { return b.dataset.action === toggle.dataset.action; });
      }
    }
    targets.forEach(function (b) { if (!b.disabled) { b.checked = toggle.checked; } });
    refresh(editor);
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var editors = Array.prototype.slice.call(scope.querySelectorAll("[data-nd-perm-editor]"));
    if (scope.matches && scope.matches("[data-nd-perm-editor]")) { editors.push(scope); }
    editors.forEach(filter);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) { return; }
    var editor = target.closest("[data-nd-perm-editor]");
    if (!editor) { return; }
    if (target.dataset.ndPermToggle) {
      apply(target);
    } else if (target.hasAttribute("data-nd-perm-granted")) {
      filter(editor);
    } else {
      refresh(editor);
    }
  });
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-nd-perm-search")) {
      filter(target.closest("[data-nd-perm-editor]"));
    }
  });
  // Enter in the search box filters; it must not submit the role form.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target instanceof HTMLInputElement &&
        target.hasAttribute("data-nd-perm-search")) {
      event.preventDefault();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
