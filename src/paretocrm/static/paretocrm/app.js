// Behaviour every page shares, bound here instead of inline handlers: the
// Content-Security-Policy allows scripts from this server only (core.middleware).
"use strict";

// <button data-print> prints the page.
document.addEventListener("click", (event) => {
  const trigger = event.target.closest("[data-print]");
  if (trigger) {
    event.preventDefault();
    window.print();
  }
});

// <select data-autosubmit> submits its form when the choice changes (language, segment).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});
