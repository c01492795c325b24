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
