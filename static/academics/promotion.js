// The promotion wizard (docs/design/promotion.md). htmx does the requests and swaps; this adds
// what htmx has no attribute for:
// - step 2: "tick every student of a class" boxes in the manual student list;
// - step 3: the select-all box and the ticked count of the bulk actions; in a row's inline
//   editor Enter saves (also from a select) and Escape cancels; focus stays on the control
//   that redrew the editor, and returns to the row's "Edit" link after a save;
// - step 4: Execute can't be pressed twice.
// Without JS every control is a plain link or form (the "Update choices" buttons, hidden
// here, stand in for the redraws).
(() => {
  "use strict";

  document.documentElement.classList.add("pr-js");

  const rowChecks = () => Array.from(document.querySelectorAll("input[data-row-check]"));

  function reveal(root) {
    for (const box of root.querySelectorAll("[data-select-all], [data-select-group]")) {
      box.hidden = false;
    }
  }

  function syncTicks() {
    const boxes = rowChecks();
    const ticked = boxes.filter((box) => box.checked).length;
    const all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    const count = document.querySelector("[data-ticked-count]");
    if (count) {
      count.textContent = ticked
        ? `${ticked} student${ticked === 1 ? "" : "s"} ticked:`
        : "Tick students in the table, then:";
    }
  }

  function syncGroup(group) {
    const members = Array.from(group.querySelectorAll("input[data-group-member]"));
    const box = group.querySelector("input[data-select-group]");
    if (!box) return;
    const ticked = members.filter((m) => m.checked).length;
    box.checked = members.length > 0 && ticked === members.length;
    box.indeterminate = ticked > 0 && ticked < members.length;
  }

  let lastChanged = "";

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    if (target.matches("input[data-select-all]")) {
      for (const box of rowChecks()) box.checked = target.checked;
      syncTicks();
    } else if (target.matches("input[data-row-check]")) {
      syncTicks();
    } else if (target.matches("input[data-select-group]")) {
      const group = target.closest("[data-class-group]");
      for (const member of group.querySelectorAll("input[data-group-member]")) {
        member.checked = target.checked;
      }
    } else if (target.matches("input[data-group-member]")) {
      syncGroup(target.closest("[data-class-group]"));
    }
  });

  // The control whose change redraws the editor keeps the focus in the redrawn one.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    lastChanged =
      elt instanceof HTMLElement && elt.matches("tr[data-row-editor] select[hx-get]") ? elt.name : "";
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    const editor = target.closest("tr[data-row-editor]");
    if (!editor) return;
    if (event.key === "Escape") {
      const cancel = editor.querySelector("[data-row-cancel]");
      if (cancel) {
        event.preventDefault();
        cancel.click();
      }
    } else if (event.key === "Enter" && target.matches("select")) {
      // A select has no implicit submission; the text input and buttons already have it.
      event.preventDefault();
      const form = editor.querySelector("form[data-row-form]");
      if (form) form.requestSubmit();
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-execute-form]")) return;
    const button = form.querySelector("[data-execute]");
    // Disabled after the browser has taken the submission, so it still carries the form.
    if (button) setTimeout(() => { button.disabled = true; button.textContent = "Executing…"; }, 0);
  });

  // htmx:load fires for every element htmx puts into the page (and once for <body>).
  document.addEventListener("htmx:load", (event) => {
    const elt = event.detail.elt;
    if (!(elt instanceof HTMLElement)) return;
    reveal(elt);
    if (elt.matches("tr[data-row-editor]")) {
      const focus =
        (lastChanged && elt.querySelector(`[name="${lastChanged}"]:not([disabled])`)) ||
        elt.querySelector("[data-editor-focus]");
      lastChanged = "";
      if (focus) focus.focus();
    } else if (elt.matches("tr[data-row]")) {
      const active = document.activeElement;
      if (!active || active === document.body) {
        const link = elt.querySelector("[data-row-edit]");
        if (link) link.focus();
      }
      syncTicks();
    } else if (elt.matches("[data-preview]")) {
      syncTicks();
    } else if (elt.matches("#student-picker")) {
      for (const group of elt.querySelectorAll("[data-class-group]")) syncGroup(group);
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    reveal(document);
    syncTicks();
    for (const group of document.querySelectorAll("[data-class-group]")) syncGroup(group);
  });
})();
