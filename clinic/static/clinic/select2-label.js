// The admin's autocomplete (select2) names its combobox only by the option shown, which is
// empty until a patient is chosen: screen readers announce an unnamed field. Name it by the
// form's <label> for the hidden <select>, as well as by the choice.
"use strict";
(function () {
  function label(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var box = container && container.querySelector(".select2-selection[role=combobox]");
      var text = select.labels && select.labels[0];
      if (!box || !text || box.dataset.labelled) return;
      text.id = text.id || select.id + "-label";
      var shown = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", shown ? text.id + " " + shown : text.id);
      // The choice shown inside is a read-only textbox of its own: the same name.
      var rendered = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (rendered) rendered.setAttribute("aria-labelledby", text.id);
      box.dataset.labelled = "yes";
    });
  }
  // select2 is built by jQuery's ready handler, which runs after DOMContentLoaded.
  new MutationObserver(function () { label(document); }).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  window.addEventListener("load", function () { label(document); });
})();
