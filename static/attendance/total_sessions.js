// Inline editing of total sessions on the attendance list (docs/design/total-sessions.md, "Inline Editing").
// htmx does the requests and swaps the row; this adds what htmx has no attribute for:
// Space opens the editor like Enter (the total is a link styled as a button), Escape
// cancels, the value is selected for typing over, and focus follows the swapped row.
// Without JS the total is a plain link to an edit page.
(() => {
  "use strict";

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    if ((event.key === " " || event.key === "Spacebar") && target.matches("[data-total-edit]")) {
      event.preventDefault();
      target.click();
    } else if (event.key === "Escape") {
      const form = target.closest("form[data-total-form]");
      const cancel = form && form.querySelector("[data-total-cancel]");
      if (cancel) {
        event.preventDefault();
        cancel.click();
      }
    }
  });

  // htmx:load fires for every element htmx puts into the page (and once for <body>).
  document.addEventListener("htmx:load", (event) => {
    const row = event.detail.elt;
    if (!(row instanceof HTMLTableRowElement) || !row.matches("[data-total-row]")) return;
    const input = row.querySelector("[data-total-input]");
    if (input) {
      input.focus();
      input.select();
      return;
    }
    // The editor was replaced by the saved row: keep keyboard users on that total.
    const total = row.querySelector("[data-total-edit]");
    if (total && (document.activeElement === document.body || !document.activeElement)) {
      total.focus();
    }
  });
})();
