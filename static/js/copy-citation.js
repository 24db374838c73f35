/*
 * Copy buttons for "Cite this quote" (templates/includes/cite_this.html).
 *
 * Progressive enhancement: without this script the citations are plain, selectable text.
 * With it, each citation ([data-citation-text]) gets a "Copy" button that puts the citation's
 * plain text on the clipboard and announces the result in the section's live region
 * ([data-copy-status]). Loaded as a static file with `defer`: no inline script, so a strict
 * Content-Security-Policy can forbid inline scripts.
 */
(function () {
  "use strict";

  // Copies by selecting a hidden textarea: for browsers without the Clipboard API, or
  // pages served over plain HTTP, where navigator.clipboard is missing.
  function copyBySelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.setAttribute("aria-hidden", "true");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyBySelection(text);
      });
    }
    return copyBySelection(text);
  }

  // Selects the citation on the page, so that the reader can copy it with the keyboard.
  function selectCitation(citation) {
    var range = document.createRange();
    range.selectNodeContents(citation);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Empties the live region first, so that the same message twice is announced twice.
  function announce(status, message) {
    if (!status) {
      return;
    }
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function addButton(citation, status) {
    var label = citation.getAttribute("data-citation-label");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.appendChild(document.createTextNode("Copy"));
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " the " + label + " citation";
    button.appendChild(hidden);

    button.addEventListener("click", function () {
      copyText(citation.getAttribute("data-citation-text")).then(
        function () {
          button.focus();
          announce(status, "Copied the " + label + " citation.");
        },
        function () {
          selectCitation(citation);
          announce(
            status,
            "Could not copy. The " + label + " citation is selected: press Ctrl+C (⌘C on a Mac)."
          );
        }
      );
    });
    citation.parentNode.insertBefore(button, citation.nextSibling);
  }

  function enhance() {
    var sections = document.querySelectorAll("[data-cite-this]");
    Array.prototype.forEach.call(sections, function (section) {
      var status = section.querySelector("[data-copy-status]");
      var citations = section.querySelectorAll("[data-citation-text]");
      Array.prototype.forEach.call(citations, function (citation) {
        addButton(citation, status);
      });
    });
  }

  enhance();
})();
