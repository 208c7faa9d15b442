// The inline total editor of the admin's "Student total sessions" change list.
// htmx makes the requests; this file only maps the keys. Enter must not reach the change
// list's own <form> (it would submit the actions form), so it is stopped here and turned
// into the editor's "ts-save"; Escape asks for the saved total back ("ts-cancel").
(() => {
  "use strict";

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("ts-input")) return;
    if (event.key !== "Enter" && event.key !== "Escape") return;
    event.preventDefault();
    const cell = input.closest(".ts-cell");
    // A key pressed within htmx's settle delay after the editor arrived would find it not
    // yet wired; processing is idempotent, so make sure of it first.
    htmx.process(cell);
    if (event.key === "Enter") {
      htmx.trigger(input, "ts-save");
    } else {
      htmx.trigger(cell, "ts-cancel");
    }
  });

  // Keep the keyboard where the user is: in the input when it opens (selected, ready to
  // type over), back on the total once it is saved or cancelled. Focused here, once htmx
  // has wired the input, not with `autofocus`: the browser would focus it on insertion,
  // before htmx's settle, and a quick Enter would be lost.
  htmx.onLoad((element) => {
    if (!(element instanceof HTMLElement) || !element.classList.contains("ts-cell")) return;
    const input = element.querySelector(".ts-input");
    if (input) {
      input.focus();
      input.select();
      return;
    }
    const link = element.querySelector(".ts-value");
    if (link && (document.activeElement === document.body || !document.activeElement)) {
      link.focus();
    }
  });
})();
