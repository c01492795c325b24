// The top bar's search type-ahead (core/_topbar_search.html): htmx fills #nd-search-popup as
// one types; this script lets the keyboard walk the hits (a combobox with a list box: ↓ ↑ move,
// Enter opens, Escape closes), closes the list on a click elsewhere, and "/" puts the cursor in
// the search box. No inline script: the Content-Security-Policy allows none.
(function () {
  "use strict";

  function input() { return document.getElementById("nd-search-input"); }
  function popup() { return document.getElementById("nd-search-popup"); }
  function options() {
    var box = popup();
    return box ? Array.prototype.slice.call(box.querySelectorAll("[role=option]")) : [];
  }
  function active() { return popup() && popup().querySelector("[role=option][aria-selected=true]"); }

  function setOpen(open) {
    var box = popup(), field = input();
    if (!box || !field) return;
    open = open && box.children.length > 0;
    box.hidden = !open;
    field.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) select(null);
  }

  function select(option) {
    var field = input();
    options().forEach(function (o) {
      var on = o === option;
      o.setAttribute("aria-selected", on ? "true" : "false");
      o.classList.toggle("active", on);
    });
    if (!field) return;
    if (option) {
      field.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      field.removeAttribute("aria-activedescendant");
    }
  }

  function move(step) {
    var list = options();
    if (!list.length) return;
    var i = list.indexOf(active());
    i = i < 0 ? (step > 0 ? 0 : list.length - 1) : (i + step + list.length) % list.length;
    select(list[i]);
  }

  document.addEventListener("keydown", function (evt) {
    var field = input();
    if (!field) return;
    if (evt.target === field) {
      if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
        evt.preventDefault();
        if (popup().hidden) setOpen(true);
        move(evt.key === "ArrowDown" ? 1 : -1);
      } else if (evt.key === "Enter") {
        var chosen = active();
        if (chosen && !popup().hidden) {
          evt.preventDefault();
          window.location.assign(chosen.href);
        }
      } else if (evt.key === "Escape") {
        if (!popup().hidden) {
          evt.preventDefault();
          setOpen(false);
        }
      }
      return;
    }
    // "/" anywhere but in a field: to the search box (a page's own key wins if it took it)
    if (evt.key === "/" && !evt.defaultPrevented && !evt.ctrlKey && !evt.metaKey && !evt.altKey) {
      var t = evt.target;
      var editable = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (!editable) {
        evt.preventDefault();
        field.focus();
        field.select();
      }
    }
  });

  // New hits: open the list (nothing is selected until the keyboard moves).
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail && evt.detail.target === popup()) setOpen(document.activeElement === input());
  });
  document.addEventListener("focusin", function (evt) {
    var box = popup();
    if (!box) return;
    if (evt.target === input()) setOpen(true);
    else if (!box.contains(evt.target)) setOpen(false);
  });
  document.addEventListener("click", function (evt) {
    var form = document.getElementById("nd-search");
    if (form && !form.contains(evt.target)) setOpen(false);
  });
  document.addEventListener("mouseover", function (evt) {
    var option = evt.target.closest && evt.target.closest("#nd-search-popup [role=option]");
    if (option) select(option);
  });
  document.addEventListener("DOMContentLoaded", function () { setOpen(false); });
})();
