// Progressive enhancement for the admin's "Excerpt a quote" page: text selected in the
// document's box is copied into the passage field. Without JavaScript the curator pastes.
(function () {
  "use strict";
  function init() {
    var source = document.getElementById("document-text");
    var passage = document.getElementById("id_text");
    if (!source || !passage) { return; }
    function copySelection() {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) { return; }
      var range = selection.getRangeAt(0);
      if (!source.contains(range.commonAncestorContainer)) { return; }
      var text = selection.toString().trim();
      if (text) { passage.value = text; }
    }
    source.addEventListener("mouseup", copySelection);
    source.addEventListener("keyup", copySelection);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
