// Small progressive enhancements on top of htmx. Everything works without this file.
(function () {
  "use strict";

  // Escape inside an in-place editor cancels it, like the Cancel link.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const form = event.target.closest && event.target.closest("form[data-cancel]");
    if (!form) return;
    const cancel = document.getElementById(form.dataset.cancel);
    if (!cancel) return;
    event.preventDefault();
    if (window.htmx && cancel.getAttribute("hx-get")) {
      // Ask htmx directly: works even if it has not yet wired up the new link.
      window.htmx.ajax("GET", cancel.getAttribute("hx-get"), { source: cancel });
    } else {
      cancel.click();
    }
  });

  // After an in-place editor closes, put keyboard focus back where the user was.
  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail.target;
    if (!target || !document.body.contains(target)) return;
    if (target.querySelector("form")) return; // An editor opened; htmx honours autofocus.
    const focusable = target.querySelector("a[href], button:not([disabled])");
    if (focusable && document.activeElement === document.body) focusable.focus();
  });

  // When the server refuses (403) or fails, say so instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    const box = document.getElementById("htmx-error");
    if (!box) return;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    box.textContent =
      status === 403
        ? "You are not allowed to make this change."
        : "That did not work (error " + status + "). Nothing was saved; please reload the page.";
    box.hidden = false;
    setTimeout(function () { box.hidden = true; }, 8000);
  });

  // An export the server reports ready downloads at once (documents/export.html#status).
  document.addEventListener("htmx:load", function (event) {
    const element = event.detail.elt;
    const ready = element.matches && element.matches("[data-download]")
      ? element
      : element.querySelector && element.querySelector("[data-download]");
    if (!ready || ready.dataset.downloaded) return;
    ready.dataset.downloaded = "1";
    const link = document.createElement("a");
    link.href = ready.dataset.download;
    link.download = "";
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
})();
