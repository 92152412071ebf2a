// The portal's small helpers: ordered formset rows (add, remove, move up and
// down, indent) and agency pickers filtered as you type. No build step.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function renumber(container) {
    var rows = container.querySelectorAll(".formset-row");
    rows.forEach(function (row, index) {
      var order = row.querySelector('input[name$="-ORDER"]');
      if (order) { order.value = index + 1; }
    });
    var total = container.querySelector('input[name$="-TOTAL_FORMS"]');
    if (total) { total.value = container.querySelectorAll(".formset-row").length; }
  }

  function indent(row) {
    var level = row.querySelector('select[name$="-level"]');
    if (level) { row.style.marginLeft = (parseInt(level.value || "0", 10) * 2.5) + "rem"; }
  }

  function initFormset(container) {
    var list = container.querySelector(".formset-rows");
    var template = container.querySelector("template[data-empty-form]");
    container.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-row-action]");
      if (!button) { return; }
      event.preventDefault();
      var row = button.closest(".formset-row");
      var action = button.dataset.rowAction;
      if (action === "add") {
        var index = container.querySelectorAll(".formset-row").length;
        var html = template.innerHTML.replace(/__prefix__/g, index);
        list.insertAdjacentHTML("beforeend", html);
        var added = list.lastElementChild;
        indent(added);
        var first = added.querySelector("textarea, input[type=text]");
        if (first) { first.focus(); }
      } else if (action === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (action === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      } else if (action === "remove") {
        var del = row.querySelector('input[name$="-DELETE"]');
        if (del) { del.checked = true; row.classList.add("d-none"); row.classList.remove("formset-row"); row.classList.add("formset-row-deleted"); }
      }
      renumber(container);
    });
    container.addEventListener("change", function (event) {
      if (event.target.matches('select[name$="-level"]')) { indent(event.target.closest(".formset-row")); }
    });
    container.closest("form").addEventListener("submit", function () {
      // Deleted rows still post (with DELETE on) so the formset counts stay right.
      container.querySelectorAll(".formset-row-deleted").forEach(function (row) { row.classList.add("formset-row"); });
      var rows = container.querySelectorAll(".formset-row");
      rows.forEach(function (row, index) {
        var order = row.querySelector('input[name$="-ORDER"]');
        if (order) { order.value = index + 1; }
      });
      var total = container.querySelector('input[name$="-TOTAL_FORMS"]');
      if (total) { total.value = rows.length; }
    });
    container.querySelectorAll(".formset-row").forEach(indent);
  }

  function initPicker(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = "Gõ một phần tên đơn vị để lọc…";
    box.setAttribute("aria-label", "Lọc đơn vị");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var query = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = query !== "" && !option.selected && fold(option.text).indexOf(query) === -1;
      });
    });
  }

  function init(root) {
    root.querySelectorAll("[data-formset]").forEach(initFormset);
    root.querySelectorAll("select[data-agency-picker]").forEach(initPicker);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
