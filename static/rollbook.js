// Every page: when an htmx request is refused or fails (403, 409, 500, 503 …), say so in
// an alert bar instead of leaving the click without an answer. The server sends a short
// message (plain text for htmx, the JSON envelope's "message" for JSON); see
// academics/errors.py and docs/operations/production.md ("What a client sees").
(() => {
  "use strict";

  function messageFrom(xhr) {
    const type = xhr.getResponseHeader("Content-Type") || "";
    const text = xhr.responseText || "";
    if (type.startsWith("application/json")) {
      try {
        const body = JSON.parse(text);
        if (body && typeof body.message === "string") return body.message;
      } catch (_) { /* fall through */ }
    }
    if (type.startsWith("text/plain") && text.trim() && text.length < 500) return text.trim();
    if (xhr.status === 0) return document.body.dataset.offlineMessage;
    return document.body.dataset.errorMessage.replace("%(status)s", String(xhr.status));
  }

  function show(message) {
    let bar = document.getElementById("request-error");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "request-error";
      bar.className = "request-error";
      bar.setAttribute("role", "alert");
      const text = document.createElement("span");
      const close = document.createElement("button");
      close.type = "button";
      close.className = "link";
      close.textContent = document.body.dataset.closeLabel;
      close.addEventListener("click", () => bar.remove());
      bar.append(text, close);
      (document.querySelector("main") || document.body).prepend(bar);
    }
    bar.firstChild.textContent = message;
  }

  document.addEventListener("htmx:responseError", (event) => show(messageFrom(event.detail.xhr)));
  document.addEventListener("htmx:sendError", (event) => show(messageFrom(event.detail.xhr)));
  // A request that works again clears an earlier failure's bar.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) document.getElementById("request-error")?.remove();
  });
})();

// Every page: on a narrow screen the top bar's links fold behind a "Menu" button
// (docs/manual/attendance.md, "On a phone or a tablet"). The CSS hides the menu only once this script has marked the bar
// `data-menu="closed"`; without JavaScript the links stay in view.
(() => {
  "use strict";

  const bar = document.getElementById("topbar");
  const toggle = document.getElementById("menu-toggle");
  if (!bar || !toggle) return;

  function set(open) {
    bar.dataset.menu = open ? "open" : "closed";
    toggle.setAttribute("aria-expanded", String(open));
  }

  toggle.hidden = false;
  set(false);
  toggle.addEventListener("click", () => set(bar.dataset.menu !== "open"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && bar.dataset.menu === "open") {
      set(false);
      toggle.focus();
    }
  });
})();
