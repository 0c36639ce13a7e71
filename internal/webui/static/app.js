// Roster admin page: progressive enhancement only. Every action works
// without this file (forms POST, the server redirects); it adds copy
// buttons and <dialog> confirmations. No inline script (CSP script-src 'self').
(function () {
  "use strict";

  // Copy buttons: <button data-copy="#id"> copies the text (or value) of
  // the element #id, then reads "Copied" for two seconds.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "copy-buffer";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }
  function setupCopy(btn) {
    var label = btn.textContent;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var target = document.querySelector(btn.getAttribute("data-copy"));
      if (!target) { return; }
      var text = (target.value !== undefined && target.tagName !== "BUTTON") ? target.value : target.textContent;
      text = (text || "").trim();
      copyText(text).then(function () {
        btn.textContent = "Copied";
        btn.setAttribute("data-copied", "true");
        btn.classList.add("is-copied");
        announce("Copied to the clipboard");
        window.setTimeout(function () {
          btn.textContent = label;
          btn.classList.remove("is-copied");
        }, 2000);
      }, function () {
        // Clipboard refused: select the text so Ctrl+C works.
        selectText(target);
        announce("Press Ctrl+C (or Cmd+C) to copy the selected text");
      });
    });
  }
  function selectText(el) {
    if (el.select) { el.select(); return; }
    var r = document.createRange();
    r.selectNodeContents(el);
    var s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
  }
  var live;
  function announce(msg) {
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden";
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = msg; }, 50);
  }

  // Confirmations: a submit button with data-confirm="ID" opens
  // <dialog id="ID"> instead of submitting; data-confirm-text on the
  // button replaces the dialog's text. The dialog's [data-confirm-ok]
  // submits the button's form (with the button's name/value);
  // [data-confirm-cancel] and Escape close it. showModal() makes the rest
  // of the page inert, so focus stays in the dialog.
  var pending = null;
  function setupConfirm(btn) {
    btn.addEventListener("click", function (ev) {
      var dlg = document.getElementById(btn.getAttribute("data-confirm"));
      if (!dlg || typeof dlg.showModal !== "function") { return; }
      ev.preventDefault();
      pending = btn;
      var text = btn.getAttribute("data-confirm-text");
      var body = dlg.querySelector("[data-confirm-text]");
      if (text && body) { body.textContent = text; }
      dlg.showModal();
      var cancel = dlg.querySelector("[data-confirm-cancel]");
      if (cancel) { cancel.focus(); }
    });
  }
  function setupDialog(dlg) {
    var ok = dlg.querySelector("[data-confirm-ok]");
    var cancel = dlg.querySelector("[data-confirm-cancel]");
    if (cancel) { cancel.addEventListener("click", function () { dlg.close(); }); }
    if (ok) {
      ok.addEventListener("click", function () {
        var btn = pending;
        pending = null;
        dlg.close();
        if (!btn || !btn.form) { return; }
        ok.disabled = true;
        if (btn.form.requestSubmit) { btn.form.requestSubmit(btn); } else { btn.form.submit(); }
      });
    }
    dlg.addEventListener("close", function () {
      if (pending) { pending.focus(); pending = null; }
    });
    // A click on the backdrop closes the dialog.
    dlg.addEventListener("click", function (ev) {
      if (ev.target === dlg) { dlg.close(); }
    });
  }

  // Forms: disable the submit button while the request runs.
  function setupForm(form) {
    form.addEventListener("submit", function (ev) {
      var b = ev.submitter;
      if (b && !b.hasAttribute("data-confirm")) {
        window.setTimeout(function () { b.disabled = true; b.setAttribute("aria-busy", "true"); }, 0);
      }
    });
  }

  function init() {
    document.querySelectorAll("[data-copy]").forEach(setupCopy);
    document.querySelectorAll("[data-confirm]").forEach(setupConfirm);
    document.querySelectorAll("dialog").forEach(setupDialog);
    document.querySelectorAll("form[method=post]").forEach(setupForm);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
