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
    if (window.htmx && cancel.getAttribute("data-hx-get")) {
      // Ask htmx directly: works even if it has not yet wired up the new link.
      window.htmx.ajax("GET", cancel.getAttribute("data-hx-get"), { source: cancel });
    } else {
      cancel.click();
    }
  });

  // After an in-place editor closes, put keyboard focus back where the user was.
  document.addEventListener("htmx:afterSwap", function (event) {
    let target = event.detail.target;
    // An outerHTML swap replaced the target: find its successor by id.
    if (target && !document.body.contains(target) && target.id) target = document.getElementById(target.id);
    if (!target || !document.body.contains(target)) return;
    if (target.querySelector("form")) {
      // An editor opened (htmx honours autofocus): show all of it, even at a table's edge.
      target.scrollIntoView({ block: "nearest", inline: "nearest" });
      return;
    }
    const focusable = target.querySelector("a[href], button:not([disabled])");
    if (focusable && document.activeElement === document.body) focusable.focus();
  });

  // --- List editors: add, remove and reorder items in place -------------------------------
  // Without this, the same buttons post the form and the server redisplays it rearranged.
  document.documentElement.classList.add("js");
  const NUMBERED = /(rows-)(\d+|__prefix__)(-)/;

  function items(list) { return Array.from(list.children).filter((li) => li.matches(".list-item")); }

  // Give every item the index of its place: field names, ids, labels and buttons follow.
  function renumber(list, message) {
    const all = items(list);
    all.forEach(function (li, i) {
      li.querySelectorAll("[name], [id], label[for], [aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          const value = el.getAttribute(attr);
          if (value && NUMBERED.test(value)) el.setAttribute(attr, value.replace(NUMBERED, "$1" + i + "$3"));
        });
      });
      li.querySelectorAll(".item-num").forEach(function (el) { el.textContent = i + 1; });
      li.querySelectorAll("button[name=row_action]").forEach(function (button) {
        const name = button.value.split("-")[0];
        button.value = name + "-" + i;
        button.disabled = (name === "up" && i === 0) || (name === "down" && i === all.length - 1);
      });
    });
    list.closest("form").dataset.dirty = "1";
    const total = list.closest("form").querySelector("input[name$='-TOTAL_FORMS']");
    if (total) total.value = all.length;
    const status = list.closest("form").querySelector("[data-list-status]");
    if (status && message) status.textContent = message;
  }

  function focusItem(li) {
    const field = li && li.querySelector("textarea, input:not([type=hidden])");
    if (field) field.focus();
  }

  function addItem(list, after) {
    const template = list.closest("form").querySelector("template[data-item-template]");
    const li = template.content.firstElementChild.cloneNode(true);
    list.insertBefore(li, after ? after.nextElementSibling : null);
    renumber(list, "Item added.");
    focusItem(li);
  }

  function move(li, by) {
    const list = li.parentElement;
    const sibling = by < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!sibling) return;
    list.insertBefore(li, by < 0 ? sibling : sibling.nextElementSibling);
    renumber(list, "Moved to place " + (items(list).indexOf(li) + 1) + ".");
  }

  function remove(li) {
    const list = li.parentElement;
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    renumber(list, "Item removed.");
    if (next) focusItem(next);
    else list.closest("form").querySelector(".add-item").focus();
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[name=row_action]");
    const list = button && button.closest("form").querySelector("[data-list-editor]");
    if (!list) return;
    event.preventDefault();
    const action = button.value.split("-")[0];
    const li = button.closest(".list-item");
    if (action === "add") return addItem(list, null);
    if (action === "remove") return remove(li);
    move(li, action === "up" ? -1 : 1);
    button.disabled ? focusItem(li) : button.focus();
  });

  document.addEventListener("keydown", function (event) {
    const li = event.target.closest && event.target.closest("[data-list-editor] > .list-item");
    if (!li || !event.target.matches("textarea, input")) return;
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      addItem(li.parentElement, li);
    } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      move(li, event.key === "ArrowUp" ? -1 : 1);
      event.target.focus();
    } else if (event.key === "Backspace" && !event.target.value && items(li.parentElement).length > 1 &&
               Array.from(li.querySelectorAll("textarea")).every((t) => !t.value)) {
      event.preventDefault(); // Backspace in an empty item removes it, as in a document.
      const previous = li.previousElementSibling;
      remove(li);
      if (previous) focusItem(previous);
    }
  });

  // Drag an item by its handle, with a mouse, a pen or a finger (pointer events, not HTML5 drag).
  let dragged = null;
  document.addEventListener("pointerdown", function (event) {
    const handle = event.target.closest && event.target.closest("[data-list-editor] .drag-handle");
    if (!handle) return;
    event.preventDefault();
    dragged = handle.closest(".list-item");
    dragged.classList.add("dragging");
    handle.setPointerCapture(event.pointerId);
  });
  document.addEventListener("pointermove", function (event) {
    if (!dragged) return;
    const list = dragged.parentElement;
    const below = items(list).find(function (li) {
      const box = li.getBoundingClientRect();
      return li !== dragged && event.clientY < box.top + box.height / 2;
    });
    if (below !== dragged.nextElementSibling) list.insertBefore(dragged, below || null);
  });
  function drop() {
    if (!dragged) return;
    const list = dragged.parentElement;
    dragged.classList.remove("dragging");
    renumber(list, "Moved to place " + (items(list).indexOf(dragged) + 1) + ".");
    dragged = null;
  }
  document.addEventListener("pointerup", drop);
  document.addEventListener("pointercancel", drop);

  // Switching timeframe (or any part tab) away from unsaved edits asks first.
  document.addEventListener("input", function (event) {
    const form = event.target.closest && event.target.closest("form.section-editor");
    if (form) form.dataset.dirty = "1";
  });
  document.addEventListener("click", function (event) {
    const tab = event.target.closest && event.target.closest("a.part-tab");
    const form = tab && tab.closest(".jd-section").querySelector("form.section-editor");
    if (!form || !form.dataset.dirty) return;
    if (!window.confirm("Leave this timeframe? Your unsaved changes to it will be lost.")) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Text areas grow with their text where CSS cannot do it (field-sizing).
  if (!(window.CSS && CSS.supports("field-sizing", "content"))) {
    document.addEventListener("input", function (event) {
      const area = event.target;
      if (!area.matches || !area.matches("textarea.grow")) return;
      area.style.height = "auto";
      area.style.height = area.scrollHeight + 2 + "px";
    });
  }

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

  // --- Pages that stay current ------------------------------------------------------------
  // The live check (templates/_live.html) triggers "plan-changed" when the plan moved on.
  // Fetch the page again and put its parts in place, except any part holding an open editor:
  // an open form is never replaced (a stale save still ends in the conflict view).
  const EDITOR = "form[data-cancel], form[data-editor], .editing, form:focus-within";
  function holdsEditor(el) {
    return el.matches(EDITOR) || el.querySelector(EDITOR) !== null;
  }
  // Keyboard focus survives a refresh: a replaced part's successor (same id) gets it back,
  // on the same control, instead of focus falling to the page's start. (The user's own save
  // is a change too: the next check refreshes the page they are typing in.)
  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  function keepFocus() {
    const active = document.activeElement;
    const holder = active && active !== document.body ? active.closest("[id]") : null;
    if (!holder) return function () {};
    const index = Array.from(holder.querySelectorAll(FOCUSABLE)).indexOf(active);
    return function () {
      if (document.body.contains(active)) return;
      const next = document.getElementById(holder.id);
      if (!next) return;
      const target = index < 0 ? next : next.querySelectorAll(FOCUSABLE)[index] || next;
      target.focus({ preventScroll: true });
    };
  }
  function refreshFrom(doc) {
    const fresh = doc.getElementById("main");
    const main = document.getElementById("main");
    if (!fresh || !main) return;
    const live = document.getElementById("live-check");
    const restoreFocus = keepFocus();
    if (!holdsEditor(main)) {
      fresh.querySelector("#live-check")?.replaceWith(live);
      main.replaceChildren(...fresh.childNodes);
      if (window.htmx) window.htmx.process(main);
      restoreFocus();
      return;
    }
    // Outermost parts first: a part without an editor is replaced whole, its insides with it.
    const done = [];
    fresh.querySelectorAll("[id]").forEach(function (next) {
      if (next.id === "live-check" || done.some((d) => d.contains(next))) return;
      const old = document.getElementById(next.id);
      if (!old || !main.contains(old) || holdsEditor(old)) return;
      const copy = document.importNode(next, true);
      old.replaceWith(copy);
      done.push(next);
      if (window.htmx) window.htmx.process(copy);
    });
    restoreFocus();
  }
  document.body?.addEventListener("plan-changed", function () {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((r) => (r.ok ? r.text() : null))
      .then(function (html) {
        if (html) refreshFrom(new DOMParser().parseFromString(html, "text/html"));
      })
      .catch(function () {});
  });
})();
