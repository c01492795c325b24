/* API tokens: the copy button of a new token's secret. */
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("#nd-token-copy");
    if (!button) return;
    var input = document.getElementById("nd-token-secret");
    function done() {
      var icon = document.createElement("i");
      icon.className = "bi bi-check-lg";
      button.textContent = " " + button.dataset.copied;
      button.insertBefore(icon, button.firstChild);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done);
    } else {
      input.select();
      document.execCommand("copy");
      done();
    }
  });
})();
