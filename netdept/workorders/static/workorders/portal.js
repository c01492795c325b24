/* Requester portal, new request: show only the categories of the chosen kind; ask for the
   estimated cost when the category is a purchase, and say when it needs approval. */
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
  var costBox = document.getElementById("wo-cost-box");
  var note = document.getElementById("wo-approval-note");
  function category() {
    var opt = select.options[select.selectedIndex];
    var errors = costBox && costBox.querySelector(".invalid-feedback");
    var purchase = !!(opt && opt.getAttribute("data-purchase"));
    if (costBox) costBox.hidden = !purchase && !errors;
    if (note) note.classList.toggle("d-none", !(opt && opt.getAttribute("data-approval")));
  }
  select.addEventListener("change", category);
  category();
})();
