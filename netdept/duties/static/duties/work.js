/* The photos chosen for a duty (from the camera or the gallery), shown as thumbnails before
   they are sent, with their count. No inline script: loaded by duties/work/_style.html. */
(function () {
  "use strict";
  function show(input) {
    var box = document.getElementById("dw-previews");
    if (!box) { return; }
    while (box.firstChild) { box.removeChild(box.firstChild); }
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (file.type && file.type.indexOf("image/") === 0 && window.FileReader) {
        // a data: URL (the Content-Security-Policy allows data: images, not blob: ones)
        var img = document.createElement("img");
        img.alt = file.name;
        box.appendChild(img);
        var reader = new FileReader();
        reader.addEventListener("load", function () { img.src = reader.result; });
        reader.readAsDataURL(file);
      } else {
        var span = document.createElement("span");
        span.className = "badge text-bg-light border";
        span.textContent = file.name;
        box.appendChild(span);
      }
    });
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.classList && input.classList.contains("dw-files")) { show(input); }
  });
})();
