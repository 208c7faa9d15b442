// The marking screen's keyboard, live counts, "Mark all present" and saved state.
// Everything here is a convenience: without it the radios, the "Mark all present" GET
// and the server-rendered counts still work, and the server re-checks every save.
(() => {
  "use strict";

  const form = document.getElementById("marking-form");
  if (!form) return;
  const keyStatuses = (form.dataset.keyStatuses || "").split(" ").filter(Boolean);
  const savedState = document.getElementById("saved-state");
  const savedText = savedState ? savedState.textContent : "";
  const savedClass = savedState ? savedState.className : "";
  const reasonField = document.getElementById("reason-field");
  let unsaved = form.dataset.unsaved === "true";
  let submitting = false;

  const groups = () => Array.from(form.querySelectorAll(".status-choice[data-editable]"));
  const radiosOf = (group) =>
    Array.from(group.querySelectorAll("input[type=radio]")).filter((input) => !input.disabled);
  const checkedOf = (group) => radiosOf(group).find((input) => input.checked);
  const isStatusRadio = (element) =>
    element instanceof HTMLInputElement &&
    element.type === "radio" &&
    element.closest(".status-choice[data-editable]") !== null;

  function focusGroup(group) {
    if (!group) return;
    const target = checkedOf(group) || radiosOf(group)[0];
    if (target) target.focus();
  }

  function refresh() {
    // Counts of the chosen statuses, as the server would count them.
    // A locked period's radios are disabled but still show what is saved: count them too
    // (frozen, orphaned rows are not counted, as on the server).
    const counts = {};
    form.querySelectorAll(".status-choice:not(.frozen)").forEach((group) => {
      const checked = group.querySelector("input[type=radio]:checked");
      if (checked) counts[checked.value] = (counts[checked.value] || 0) + 1;
    });
    groups().forEach((group) => {
      const checked = checkedOf(group);
      const row = group.closest("tr");
      if (row && checked) {
        row.classList.toggle(
          "changed",
          row.dataset.saved !== "" && row.dataset.saved !== checked.value,
        );
      }
    });
    document.querySelectorAll("#tally [data-status]").forEach((item) => {
      item.querySelector("strong").textContent = counts[item.dataset.status] || 0;
    });
    // The reason is asked for only once a saved status is changed (or it already has a
    // value or an error to show): docs/manual/attendance.md.
    if (reasonField) {
      const text = reasonField.querySelector("textarea, input");
      reasonField.hidden = !(
        form.querySelector("tr.changed") ||
        (text && text.value.trim()) ||
        reasonField.querySelector(".error")
      );
    }
    // Unsaved: anything differs from what the page was rendered with.
    const changed = groups().some((group) =>
      radiosOf(group).some((input) => input.checked !== input.defaultChecked),
    );
    setUnsaved(form.dataset.unsaved === "true" || changed);
  }

  function setUnsaved(value) {
    unsaved = value;
    if (!savedState) return;
    savedState.textContent = value ? "Unsaved changes" : savedText;
    savedState.className = value ? "badge unsaved" : savedClass;
  }

  function choose(group, status) {
    const input = radiosOf(group).find((radio) => radio.value === status);
    if (!input) return false;
    input.checked = true;
    return true;
  }

  form.addEventListener("change", (event) => {
    if (isStatusRadio(event.target)) refresh();
  });

  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!isStatusRadio(target) || event.altKey || event.ctrlKey || event.metaKey) return;
    const all = groups();
    const index = all.indexOf(target.closest(".status-choice"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      // Radios would change status on Up/Down too; here they move between students.
      event.preventDefault();
      focusGroup(all[index + (event.key === "ArrowDown" ? 1 : -1)]);
    } else if (/^[1-9]$/.test(event.key) && keyStatuses[Number(event.key) - 1]) {
      event.preventDefault();
      if (choose(all[index], keyStatuses[Number(event.key) - 1])) {
        refresh();
        focusGroup(all[index + 1] || all[index]);
      }
    } else if (event.key === "Enter") {
      // Enter saves, whatever button comes first in the page.
      event.preventDefault();
      form.requestSubmit(document.getElementById("save-attendance") || undefined);
    }
  });

  const allPresent = document.getElementById("all-present-form");
  if (allPresent) {
    allPresent.addEventListener("submit", (event) => {
      // With JS, no round trip: set every editable student to Present here.
      event.preventDefault();
      groups().forEach((group) => choose(group, "P"));
      refresh();
    });
  }

  form.addEventListener("submit", () => {
    submitting = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (unsaved && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  refresh();
})();
