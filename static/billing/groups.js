// The accountant's group pages (docs/design/billing.md). htmx does the requests and swaps; this adds what
// htmx has no attribute for: Escape cancels the inline price edit, the price is selected for
// typing over, focus follows the swapped row, and the result of "Generate" is announced
// and focused. Without JS every control is a plain link or form.
(() => {
  "use strict";

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    const form = target.closest("form[data-price-form]");
    const cancel = form && form.querySelector("[data-price-cancel]");
    if (cancel && cancel.hasAttribute("hx-get")) {
      event.preventDefault();
      cancel.click();
    }
  });

  // htmx:load fires for every element htmx puts into the page (and once for <body>).
  document.addEventListener("htmx:load", (event) => {
    const elt = event.detail.elt;
    if (!(elt instanceof HTMLElement)) return;
    if (elt.matches("tr[data-price-row]")) {
      const input = elt.querySelector("[data-price-input]");
      if (input) {
        input.focus();
        input.select();
        return;
      }
      // The editor was replaced by the saved row: keep keyboard users on that price.
      const link = elt.querySelector("[data-price-edit]");
      if (link && (document.activeElement === document.body || !document.activeElement)) {
        link.focus();
      }
    } else if (elt.matches("[data-billing-panel]")) {
      const focus = elt.querySelector("[data-generate-result]") || elt.querySelector("#preview-heading");
      if (focus && (document.activeElement === document.body || !document.activeElement)) {
        if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
        focus.focus();
      }
    }
  });
})();
