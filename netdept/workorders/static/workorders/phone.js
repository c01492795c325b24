/* The phone desk ("file for a caller"): the caller type-ahead and the lead-only field.
   The hits and the chosen caller's card come from the server (htmx, workorders:new); this
   script adds the keyboard (↑ ↓ Enter Escape), fills in the caller's phone and location
   (never over what was typed by hand) and shows the registration number for leads only.
   No inline script (CSP). */
(function () {
  "use strict";

  var form = document.getElementById("wo-new-form");
  if (!form) { return; }
  var input = document.getElementById("wo-caller-q");
  var list = document.getElementById("wo-caller-list");
  var card = document.getElementById("wo-caller-card");

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function active() {
    return list.querySelector("[role=option][aria-selected=true]");
  }

  function setExpanded() {
    input.setAttribute("aria-expanded", options().length ? "true" : "false");
  }

  function highlight(option) {
    options().forEach(function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
      o.classList.toggle("active", o === option);
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function closeList() {
    list.innerHTML = "";
    highlight(null);
    setExpanded();
  }

  // Fill a field from the caller unless the user typed something else into it.
  function fill(name, value) {
    var field = form.elements.namedItem(name);
    if (!field || field.type === undefined) { return; }
    var auto = field.getAttribute("data-nd-auto");
    if (field.value === "" || field.value === auto || field.value === value) {
      field.value = value;
      field.setAttribute("data-nd-auto", value);
    }
  }

  function chosen() {
    var c = card.querySelector(".wo-caller-card");
    if (!c) { return; }
    fill("contact", c.getAttribute("data-contact") || "");
    fill("location", c.getAttribute("data-location") || "");
    input.value = c.getAttribute("data-name") || input.value;
    input.classList.remove("is-invalid");
  }

  input.addEventListener("keydown", function (evt) {
    var opts = options();
    var current = active();
    var i = opts.indexOf(current);
    if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
      if (!opts.length) { return; }
      evt.preventDefault();
      var next = evt.key === "ArrowDown" ? (i + 1) % opts.length : (i <= 0 ? opts.length - 1 : i - 1);
      highlight(opts[next]);
    } else if (evt.key === "Enter") {
      evt.preventDefault(); // never send the whole form from the search box
      var pick = current || (opts.length === 1 ? opts[0] : null);
      if (pick) { pick.click(); }
    } else if (evt.key === "Escape") {
      if (opts.length) { evt.preventDefault(); closeList(); }
    }
  });

  // Typing again forgets the chosen caller: the order must not go to the previous one.
  input.addEventListener("input", function () {
    var c = card.querySelector(".wo-caller-card");
    if (c && input.value !== c.getAttribute("data-name")) { card.innerHTML = ""; }
  });

  list.addEventListener("click", function (evt) {
    var option = evt.target.closest ? evt.target.closest("[role=option]") : null;
    if (option) { highlight(option); }
  });

  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target === list) {
      highlight(null);
      setExpanded();
    } else if (evt.detail.target === card) {
      closeList();
      chosen();
      var next = form.elements.namedItem("kind");
      if (next && card.querySelector(".wo-caller-card")) { next.focus(); }
    }
  });

  card.addEventListener("click", function (evt) {
    var change = evt.target.closest ? evt.target.closest(".wo-caller-change") : null;
    if (!change) { return; }
    evt.preventDefault();
    card.innerHTML = "";
    input.value = "";
    input.focus();
  });

  // The registration number (客服部's) belongs to leads only.
  var kind = form.elements.namedItem("kind");
  var reg = form.querySelector(".wo-reg");
  function showReg() {
    if (!kind || !reg) { return; }
    var lead = kind.value === "lead";
    reg.classList.toggle("d-none", !lead);
    var field = reg.querySelector("input");
    if (field) { field.disabled = !lead; }
  }
  if (kind) { kind.addEventListener("change", showReg); }
  showReg();
  setExpanded();
  chosen();
})();
