// The make-up credits student list and its dialog (docs/design/credits.md, steps 1–5). htmx does the
// requests and swaps; this adds what htmx has no attribute for:
// - the selection: "N selected", the "Make-Up Credits" button enabled only with a
//   selection, "Select all on this page", and ticks kept while searching and paging
//   (students ticked on another page travel as hidden inputs of the selection form);
// - the <dialog>: opened when its content arrives, focus inside it, Escape or Cancel
//   closes it, focus back on the button; "Set to 1"/"Set to 0" fill the amount; a save
//   closes it (the `credits-set` event) once the list rows are refreshed;
// - on the dialog's own page (no htmx dialog), changing the tutor shows their balances.
// Without JS every control is a plain form or link.
(() => {
  "use strict";

  const selected = new Set();

  const selectionForm = () => document.querySelector("form[data-credits-selection]");
  const openButton = () => document.querySelector("[data-open-credits]");
  const dialog = () => document.getElementById("credits-dialog");
  const rowBoxes = () => Array.from(document.querySelectorAll("input[data-student-checkbox]"));

  function restoreTicks() {
    for (const box of rowBoxes()) {
      // A row rendered ticked (the rows refreshed after a save) joins the selection.
      if (box.checked) selected.add(box.value);
      else if (selected.has(box.value)) box.checked = true;
    }
  }

  function sync() {
    const form = selectionForm();
    if (!form) return;
    const boxes = rowBoxes();
    const onPage = new Set(boxes.map((box) => box.value));

    const holder = form.querySelector("[data-offpage]");
    holder.replaceChildren();
    let offPage = 0;
    for (const id of selected) {
      if (onPage.has(id)) continue;
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "students";
      input.value = id;
      holder.append(input);
      offPage += 1;
    }

    const count = form.querySelector("[data-selected-count]");
    count.hidden = false;
    count.textContent =
      `${selected.size} selected` + (offPage ? ` (${offPage} on other pages)` : "");
    openButton().disabled = selected.size === 0;
    form.querySelector("[data-clear-selection]").hidden = selected.size === 0;

    const all = document.querySelector("[data-select-page]");
    if (all) {
      const ticked = boxes.filter((box) => box.checked).length;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    if (target.matches("input[data-student-checkbox]")) {
      if (target.checked) selected.add(target.value);
      else selected.delete(target.value);
      sync();
    } else if (target.matches("input[data-select-page]")) {
      for (const box of rowBoxes()) {
        box.checked = target.checked;
        if (target.checked) selected.add(box.value);
        else selected.delete(box.value);
      }
      sync();
    } else if (target.matches("select[data-tutor-select]") && !target.hasAttribute("hx-get")) {
      // The dialog's own page: show the chosen tutor's balances (its "Show balances").
      const show = target.form && target.form.querySelector("[data-show-balances]");
      if (show) target.form.requestSubmit(show);
    }
  });

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const clear = target.closest("[data-clear-selection]");
    if (clear) {
      selected.clear();
      for (const box of rowBoxes()) box.checked = false;
      sync();
      openButton().focus();
      return;
    }
    const quick = target.closest("[data-quick-amount]");
    if (quick) {
      const input = quick.form && quick.form.querySelector("[data-amount-input]");
      if (input) {
        input.value = quick.dataset.quickAmount;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.focus();
      }
      return;
    }
    const close = target.closest("[data-dialog-close]");
    const box = dialog();
    if (close && box && box.contains(close)) {
      event.preventDefault();
      box.close();
    }
  });


  document.addEventListener("htmx:configRequest", (event) => {
    const source = event.detail.elt;
    if (source instanceof HTMLFormElement && source.matches("form[data-credits-form]")) {
      // Only the rows the list shows come back out of band (see views.set_credits).
      event.detail.parameters["on_page"] = rowBoxes().map((box) => box.value).join(",");
    }
  });

  // After every swap (the list rows, the table after a search or page change, the
  // dialog's content), once htmx has wired the new content.
  document.addEventListener("htmx:afterSettle", (event) => {
    restoreTicks();
    sync();
    const target = event.detail.target;
    if (!(target instanceof HTMLElement) || target.id !== "credits-dialog-body") return;
    // A save answers only out-of-band rows (HX-Reswap: none); `credits-set` closes.
    const xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Reswap") === "none") return;
    const box = dialog();
    if (!box) return;
    const opening = !box.open;
    if (opening) box.showModal();
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    for (const quick of target.querySelectorAll("[data-quick-amount]")) quick.hidden = false;
    if (!opening && source instanceof HTMLElement && source.matches("[data-tutor-select]")) {
      target.querySelector("[data-tutor-select]").focus();
      return;
    }
    const tutor = target.querySelector("[data-tutor-select]");
    const amount = target.querySelector("[data-amount-input]");
    const focus =
      target.querySelector('[aria-invalid="true"]') ||
      target.querySelector("[role=alert] a, [role=alert]") ||
      (tutor && !tutor.value ? tutor : amount) ||
      target.querySelector("button, select, input:not([type=hidden]), a");
    if (focus) {
      if (!focus.matches("a, button, input, select, textarea")) focus.setAttribute("tabindex", "-1");
      focus.focus();
      if (focus === amount && amount.value !== "") amount.select();
    }
  });

  document.addEventListener("close", (event) => {
    if (event.target === dialog()) {
      const button = openButton();
      if (button) button.focus();
    }
  }, true);

  document.addEventListener("credits-set", () => {
    const box = dialog();
    if (box && box.open) box.close();
  });

  function init() {
    // The dialog's page without htmx: the quick buttons work here too.
    for (const quick of document.querySelectorAll("[data-quick-amount]")) quick.hidden = false;
    restoreTicks();
    sync();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
