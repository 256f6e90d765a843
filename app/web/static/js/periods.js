/* The period picker (macros.html period_picker): only the fields of the chosen kind show, and
   only they are sent, so the URL reads ?period=month&month=2024-06 and no more. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-period-picker]").forEach(function (form) {
    var kind = form.querySelector("[data-period-kind]");
    function show() {
      form.querySelectorAll("[data-period-field]").forEach(function (field) {
        var on = field.getAttribute("data-period-field") === kind.value;
        field.hidden = !on;
        field.querySelectorAll("input, select").forEach(function (input) { input.disabled = !on; });
      });
    }
    kind.addEventListener("change", show);
    show();
  });
})();
