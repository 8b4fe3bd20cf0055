// The dashboard works without this file; it adds a live preview, "select all",
// confirmations, focus after an action and one submission per click.
"use strict";

const SIGNED_OUT =
  "You are signed out: sign in again in a new tab, then press Preview here.";

function focusTarget() {
  // After an action the page comes back at #queue: put keyboard focus there.
  const id = window.location.hash.slice(1);
  const target = id && document.getElementById(id);
  if (target && target.hasAttribute("tabindex")) {
    target.focus();
  }
}

function setUpPreview() {
  const form = document.querySelector("form[data-preview-url]");
  const button = document.getElementById("preview-button");
  const area = document.getElementById("preview");
  if (!form || !button || !area) {
    return;
  }
  button.addEventListener("click", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    area.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
      });
      // Signed out (a session ended elsewhere): pressing again cannot help.
      if ([400, 401].includes(response.status) || response.redirected) {
        area.textContent = SIGNED_OUT;
        return;
      }
      if (!response.ok) {
        throw new Error(`preview failed: ${response.status}`);
      }
      area.innerHTML = await response.text();
    } catch (error) {
      area.textContent = "The preview could not be made; press Preview again.";
    } finally {
      area.removeAttribute("aria-busy");
    }
  });
}

function setUpSelectAll() {
  const all = document.getElementById("select-all");
  if (!all) {
    return;
  }
  const picks = () => document.querySelectorAll("input.pick");
  all.addEventListener("change", () => {
    picks().forEach((box) => {
      box.checked = all.checked;
    });
  });
  picks().forEach((box) => {
    box.addEventListener("change", () => {
      if (!box.checked) {
        all.checked = false;
      }
    });
  });
}

function confirmationDue(button) {
  // data-confirm-action: only when the form's chosen action is that one.
  const only = button.dataset.confirmAction;
  return !only || (button.form && button.form.elements.action.value === only);
}

function setUpConfirmations() {
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (confirmationDue(button) && !window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
}

function setUpSingleSubmit() {
  // A double click on "Publish" sent the form twice: two posts. A form that
  // answers with a download (data-repeatable) stays on the page, so may go again.
  document.querySelectorAll("form[method=post]:not([data-repeatable])").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sent) {
        event.preventDefault();
      }
      form.dataset.sent = "true";
    });
  });
  // A page Back brings from the browser's cache may be sent again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[data-sent]").forEach((form) => {
      delete form.dataset.sent;
    });
  });
}

function setUpCopyFields() {
  document.querySelectorAll("input.copy").forEach((field) => {
    field.addEventListener("focus", () => field.select());
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpPreview();
  setUpSelectAll();
  setUpConfirmations();
  setUpCopyFields();
  setUpSingleSubmit();
  focusTarget();
});
