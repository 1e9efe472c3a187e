// childwatch pages: small progressive enhancements only; every page works without them.
// Loaded from /static (the Content-Security-Policy allows no inline script).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // Graphic passages stay blurred until the reader asks to see them (per-user setting).
  document.querySelectorAll(".graphic-wrap.blurred").forEach(function (wrap) {
    var show = function () {
      wrap.classList.remove("blurred");
      var text = wrap.querySelector(".doc");
      if (text) { text.removeAttribute("aria-hidden"); text.setAttribute("tabindex", "0"); }
    };
    var button = wrap.querySelector(".reveal-graphic");
    if (button) { button.addEventListener("click", show); }
    wrap.addEventListener("click", function (event) {
      if (wrap.classList.contains("blurred")) { event.preventDefault(); show(); }
    });
  });

  // Long reports: scroll each text box to its first highlighted passage.
  document.querySelectorAll(".doc").forEach(function (box) {
    var first = box.querySelector("mark.hl");
    if (first && box.scrollHeight > box.clientHeight) {
      box.scrollTop = Math.max(0, first.offsetTop - box.offsetTop - 40);
    }
  });

  // Changing the sort order applies it at once (the button stays for keyboard users).
  var sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", function () { sort.form.submit(); });
  }
});
