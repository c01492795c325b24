/* Requester portal, new request: show only the categories of the chosen kind. */
// Show only the categories of the chosen kind (categories without a kind fit every kind).
(function () {
  var form = document.getElementById("wo-portal-form");
  if (!form) return;
  var select = form.querySelector("select[name=category]");
  function apply() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "";
    Array.prototype.forEach.call(select.options, function (opt) {
      var k = opt.getAttribute("data-kind");
      var hide = !!(k && kind && k !== kind);
      opt.hidden = hide;
      opt.disabled = hide;
      if (hide && opt.selected) select.value = "";
    });
  }
  form.addEventListener("change", function (evt) { if (evt.target.name === "kind") apply(); });
  apply();
})();
