// A student's make-up credits (docs/design/credits.md). No inline handlers (a strict CSP comes later).
// - A refused action (400 bad input, 403 not allowed, 409 refused by a rule such as "no
//   credit available" or "already completed") answers the panel with the reason and the
//   X-Credits-Panel header. htmx does not swap 4xx answers by default; let it swap these,
//   so the reason shows where the user is looking. Other errors stay unswapped.
// - After the panel is swapped, focus goes to the first field with an error, else to the
//   message, so keyboard and screen-reader users hear the outcome (the clicked button is
//   gone with the old panel).
// - The panel's message replaces any banner left from a page load, so outcomes never stack.
(() => {
  "use strict";

  document.addEventListener("htmx:beforeSwap", (event) => {
    const xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400 || xhr.status >= 500) return;
    if (xhr.getResponseHeader("X-Credits-Panel")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", (event) => {
    const panel = event.detail.elt;
    if (!(panel instanceof HTMLElement) || panel.id !== "credits-panel") return;
    // The panel's message replaces the banner a page load left (the outcome of an
    // earlier action without htmx), so one outcome shows at a time, never a stack.
    for (const banner of document.querySelectorAll("main > .messages")) banner.remove();
    const target =
      panel.querySelector(".has-error select, .has-error input") ||
      panel.querySelector("#credits-message");
    if (target) target.focus();
  });
})();
