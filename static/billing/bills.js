// Bills (docs/design/billing.md). No inline handlers (a strict CSP comes later), so:
// - the invoice's "Print" button ([data-print]) opens the browser's print dialog;
// - after htmx swaps the "Record a payment" panel, focus goes to the first field with an
//   error, or to the confirmation, so keyboard and screen-reader users hear the outcome.
(() => {
  "use strict";

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("htmx:load", (event) => {
    const panel = event.detail.elt;
    if (!(panel instanceof HTMLElement) || panel.id !== "payment-panel") return;
    // A refused payment (e.g. more than is owed) keeps its values: back to the amount.
    const invalid =
      panel.querySelector("[aria-invalid='true']") ||
      (panel.querySelector("#payment-error") && panel.querySelector("input[name='amount']"));
    if (invalid) {
      invalid.focus();
      return;
    }
    const done = panel.querySelector(".bill-recorded");
    if (done) {
      done.setAttribute("tabindex", "-1");
      done.focus();
    }
  });
})();
