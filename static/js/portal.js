// The portal's small helpers: ordered formset rows (add, remove, move up and
// down, indent) and agency pickers filtered as you type. No build step.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  // Rows are never taken out of the page: a removed row is hidden with its
  // DELETE box ticked, so form indexes stay 0..TOTAL_FORMS-1 without gaps.
  function renumber(container) {
    container.querySelectorAll(".formset-row:not(.formset-row-deleted)").forEach(function (row, index) {
      var order = row.querySelector('input[name$="-ORDER"]');
      if (order) { order.value = index + 1; }
    });
  }

  function indent(row) {
    var level = row.querySelector('select[name$="-level"]');
    if (level) { row.style.marginLeft = (parseInt(level.value || "0", 10) * 2.5) + "rem"; }
  }

  function hideDeleted(row) {
    var del = row.querySelector('input[name$="-DELETE"]');
    if (del && del.checked) { row.classList.add("d-none", "formset-row-deleted"); }
  }

  function visibleSibling(row, direction) {
    var next = row[direction];
    while (next && next.classList.contains("formset-row-deleted")) { next = next[direction]; }
    return next;
  }

  function initFormset(container) {
    if (container.dataset.formsetReady) { return; }
    container.dataset.formsetReady = "1";
    var list = container.querySelector(".formset-rows");
    var template = container.querySelector("template[data-empty-form]");
    var total = container.querySelector('input[name$="-TOTAL_FORMS"]');
    container.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-row-action]");
      if (!button || !container.contains(button)) { return; }
      event.preventDefault();
      var row = button.closest(".formset-row");
      var action = button.dataset.rowAction;
      if (action === "add") {
        var index = parseInt(total.value, 10);
        list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
        total.value = index + 1;
        var added = list.lastElementChild;
        indent(added);
        var first = added.querySelector("textarea, input[type=text]");
        if (first) { first.focus(); }
      } else if (action === "up") {
        var before = visibleSibling(row, "previousElementSibling");
        if (before) { list.insertBefore(row, before); }
      } else if (action === "down") {
        var after = visibleSibling(row, "nextElementSibling");
        if (after) { list.insertBefore(after, row); }
      } else if (action === "remove") {
        var del = row.querySelector('input[name$="-DELETE"]');
        if (del) { del.checked = true; hideDeleted(row); }
      }
      renumber(container);
    });
    container.addEventListener("change", function (event) {
      if (event.target.matches('select[name$="-level"]')) { indent(event.target.closest(".formset-row")); }
    });
    container.closest("form").addEventListener("submit", function () { renumber(container); });
    container.querySelectorAll(".formset-row").forEach(function (row) { hideDeleted(row); indent(row); });
    renumber(container);
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
