/* Notification channel form: show only the settings of the chosen kind (the form still
 * accepts them all). */
(function () {
  "use strict";
  var fields = {
    email: ["smtp_host", "smtp_port", "smtp_security", "smtp_username", "from_address", "secret", "clear_secret"],
    dingtalk: ["url", "secret", "clear_secret", "format", "language"],
    wecom: ["url", "format", "language"],
    feishu: ["url", "secret", "clear_secret", "format", "language"],
    webhook: ["url", "secret", "clear_secret"]
  };
  var all = ["url", "secret", "clear_secret", "format", "language", "smtp_host", "smtp_port", "smtp_security", "smtp_username", "from_address"];
  function apply() {
    var kind = document.querySelector("form.nd-form select[name=kind]");
    if (!kind) return;
    var shown = fields[kind.value] || all;
    all.forEach(function (name) {
      var input = document.querySelector("form.nd-form [name=" + name + "]");
      var box = input && input.closest(".col-md-6, .col-12");
      if (box) box.hidden = shown.indexOf(name) < 0;
    });
  }
  document.addEventListener("change", function (e) { if (e.target.name === "kind") apply(); });
  document.addEventListener("htmx:afterSwap", apply);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", apply);
  } else {
    apply();
  }
})();
