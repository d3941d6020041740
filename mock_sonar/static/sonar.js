/* Small enhancements of the server-rendered pages; every action also works without them. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  /* A dialog rendered open becomes modal (backdrop, focus kept inside). */
  function makeDialogsModal() {
    document.querySelectorAll("dialog[open][data-modal]").forEach(function (dialog) {
      if (typeof dialog.showModal !== "function") {
        return;
      }
      dialog.close();
      dialog.showModal();
    });
  }

  /* "Copy to clipboard" buttons. */
  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var value = button.getAttribute("data-copy");
        var done = function () {
          button.setAttribute("title", "Copied");
          button.classList.add("copied");
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(value).then(done, function () {});
        } else {
          var area = document.createElement("textarea");
          area.value = value;
          document.body.appendChild(area);
          area.select();
          document.execCommand("copy");
          document.body.removeChild(area);
          done();
        }
      });
    });
  }

  /* Provisioning: Save and Cancel stay disabled until the choice changes. */
  function provisioningForm() {
    document.querySelectorAll("form[data-provisioning-form]").forEach(function (form) {
      var initial = form.getAttribute("data-initial");
      var save = form.querySelector("[data-save]");
      var cancel = form.querySelector("[data-cancel]");
      var unsaved = form.querySelector("[data-unsaved]");
      if (!save) {
        return;
      }
      var refresh = function () {
        var checked = form.querySelector("input[name=provisioning]:checked");
        var changed = checked !== null && checked.value !== initial;
        save.disabled = !changed;
        cancel.disabled = !changed;
        unsaved.hidden = !changed;
      };
      form.addEventListener("change", refresh);
      form.addEventListener("reset", function () {
        window.setTimeout(refresh, 0);
      });
      refresh();
    });
  }

  /* Secured settings: "Update field value" / "Clear" reveal the input in place. */
  function secretFields() {
    document.querySelectorAll("[data-reveal]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var input = document.getElementById(button.getAttribute("data-reveal"));
        input.hidden = false;
        input.disabled = false;
        if (button.hasAttribute("data-clear")) {
          input.value = "";
        }
        button.closest("[data-secret]").hidden = true;
        input.focus();
      });
    });
  }

  onReady(function () {
    makeDialogsModal();
    copyButtons();
    provisioningForm();
    secretFields();
  });
})();
