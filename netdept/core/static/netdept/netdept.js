// NetDept front-end glue: keep HTMX requests CSRF-safe and show server errors politely.
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("messages");
  if (!box) return;
  var div = document.createElement("div");
  div.className = "alert alert-danger";
  div.setAttribute("role", "alert");
  div.textContent = (document.documentElement.lang || "").indexOf("zh") === 0
    ? "请求失败（" + evt.detail.xhr.status + "）"
    : "The request failed (" + evt.detail.xhr.status + ")";
  box.appendChild(div);
});

// Export links follow the list as it is now: HTMX filtering and sorting push the query into the
// address bar, so the export takes its filters from there instead of from the first page load.
document.addEventListener("click", function (evt) {
  var link = evt.target.closest && evt.target.closest("a[data-nd-export]");
  if (!link) return;
  var params = new URLSearchParams(window.location.search);
  params.delete("page");
  params.set("format", link.getAttribute("data-nd-export"));
  link.href = link.pathname + "?" + params.toString();
});

// A form with data-nd-confirm asks that question before it is sent (no inline onsubmit: the
// Content-Security-Policy allows no inline script).
document.addEventListener("submit", function (evt) {
  var form = evt.target;
  var question = form.getAttribute && form.getAttribute("data-nd-confirm");
  if (question && !window.confirm(question)) evt.preventDefault();
});

// A link with data-nd-back goes back in the history when there is one (its href otherwise).
document.addEventListener("click", function (evt) {
  var link = evt.target.closest && evt.target.closest("a[data-nd-back]");
  if (!link || window.history.length < 2) return;
  evt.preventDefault();
  window.history.back();
});

// A field with data-nd-autosubmit sends its form when its value changes (a day picker that
// shows that day at once; no inline onchange: the content security policy forbids it).
document.addEventListener("change", function (evt) {
  var field = evt.target;
  if (field && field.hasAttribute && field.hasAttribute("data-nd-autosubmit") && field.form) {
    if (field.form.requestSubmit) {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  }
});
