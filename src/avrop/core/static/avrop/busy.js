/* Buttons that start long work or send something show that they are busy: a submit button with
   data-busy="Sending…" is disabled and relabelled once its form is on its way, so nobody presses twice.
   The button is changed after the submit event, when the browser has already taken the form's data
   (the pressed button's name and value included). A page shown again with the Back button is reset. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || form.querySelector("button[data-busy]");
    if (!button || !button.hasAttribute("data-busy")) {
      return;
    }
    window.setTimeout(function () {
      if (event.defaultPrevented && !form.hasAttribute("hx-post")) {
        return;
      }
      button.dataset.idleLabel = button.textContent;
      button.textContent = button.getAttribute("data-busy");
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    }, 0);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("button[aria-busy='true'][data-idle-label]").forEach(function (button) {
      button.textContent = button.dataset.idleLabel;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!form.querySelectorAll) {
      return;
    }
    form.querySelectorAll("button[aria-busy='true'][data-idle-label]").forEach(function (button) {
      button.textContent = button.dataset.idleLabel;
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
