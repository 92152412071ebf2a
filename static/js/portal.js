// The portal's small helpers: ordered formset rows (add, remove, move up and
// down, indent), agency pickers filtered as you type, a confirmation dialog
// before irreversible steps, a warning before leaving unsaved edits, and one
// new row at a time. No build step.
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
    // The step is portal.css's: narrower on a phone.
    if (level) { row.style.setProperty("--indent", parseInt(level.value || "0", 10) || 0); }
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
        button.focus();  // moving the row took the focus off its button
      } else if (action === "down") {
        var after = visibleSibling(row, "nextElementSibling");
        if (after) { list.insertBefore(after, row); }
        button.focus();
      } else if (action === "remove") {
        var del = row.querySelector('input[name$="-DELETE"]');
        if (del) { del.checked = true; hideDeleted(row); }
        // The hidden row had the focus: the next row's field, else the add button.
        var next = visibleSibling(row, "nextElementSibling") || visibleSibling(row, "previousElementSibling");
        var target = next ? next.querySelector("textarea, input[type=text], select") : null;
        (target || container.querySelector('button[data-row-action="add"]') || container).focus();
      }
      markDirty(container.closest("form"));
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
    // Named after its list («Lọc đơn vị – Cơ quan chủ trì»): two pickers on a form are told apart.
    var label = select.labels && select.labels[0] ? select.labels[0].textContent.replace(/\*/g, "").trim() : "";
    box.setAttribute("aria-label", label ? "Lọc đơn vị – " + label : "Lọc đơn vị");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var query = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = query !== "" && !option.selected && fold(option.text).indexOf(query) === -1;
      });
    });
  }

  // Unsaved edits: a form marked data-dirty-warn remembers it was changed
  // (data-dirty="1", also set by the server when it shows a refused save
  // back); leaving the page or an editor tab then asks first.
  function markDirty(form) {
    if (form && form.hasAttribute("data-dirty-warn")) { form.dataset.dirty = "1"; }
  }

  function dirtyForms() {
    return Array.prototype.filter.call(document.querySelectorAll("form[data-dirty-warn]"), function (form) {
      return form.dataset.dirty === "1";
    });
  }

  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var form = event.target.form || (event.target.closest && event.target.closest("form"));
      markDirty(form);
    });
  });
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-dirty-warn")) { event.target.dataset.dirty = "0"; }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirtyForms().length) { event.preventDefault(); event.returnValue = ""; }
  });

  // Confirmation before an irreversible step: the page's <dialog
  // id="confirm-dialog"> with the text of data-confirm, data-confirm-title
  // and data-confirm-button, opened by a link so marked (the dialog posts to
  // the link's address; without JavaScript the link leads to a page asking
  // the same), or on arrival by a form marked data-confirm-open: the server
  // checked what was typed and asks to confirm it (the dialog presses the
  // form's own button name="confirmed", which is there without JavaScript).
  // A link in data-leave-guard while a form is dirty asks whether to leave.
  var pending = null;

  function openDialog(trigger, text, title, button, danger) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { return false; }
    pending = trigger;
    dialog.querySelector("[data-confirm-title]").textContent = title;
    dialog.querySelector("[data-confirm-text]").textContent = text;
    var ok = dialog.querySelector("[data-confirm-ok]");
    ok.textContent = button;
    ok.className = "btn " + (danger ? "btn-danger" : "btn-primary");
    dialog.querySelector("form").setAttribute("action", trigger.tagName === "A" ? trigger.href : "");
    dialog.showModal();
    dialog.querySelector("[data-confirm-cancel]").focus();
    return true;
  }

  function askFor(trigger) {
    var data = trigger.dataset;
    return openDialog(trigger, data.confirm, data.confirmTitle || "Xác nhận", data.confirmButton || "Đồng ý", true);
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) { return; }
    if (link.hasAttribute("data-confirm")) {
      if (askFor(link)) { event.preventDefault(); }
    } else if (link.closest("[data-leave-guard]") && dirtyForms().length) {
      link.dataset.leave = "1";
      if (openDialog(link, "Phần này có thay đổi chưa lưu. Rời trang thì các thay đổi đó sẽ mất.",
                     "Rời trang khi chưa lưu?", "Rời trang, bỏ thay đổi", true)) {
        event.preventDefault();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var dialog = document.getElementById("confirm-dialog");
    if (dialog && dialog.contains(form)) {
      var trigger = pending;
      pending = null;
      if (trigger && trigger.tagName === "FORM") {
        event.preventDefault();
        dialog.close();
        var button = trigger.querySelector('button[name="confirmed"]');
        if (trigger.requestSubmit) { trigger.requestSubmit(button); } else { button.click(); }
      } else if (trigger && trigger.dataset.leave) {
        event.preventDefault();
        dialog.close();
        dirtyForms().forEach(function (dirty) { dirty.dataset.dirty = "0"; });
        window.location.href = trigger.href;
      }
    }
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-confirm-cancel]");
    if (cancel) {
      pending = null;
      cancel.closest("dialog").close();
    }
  });

  // Links that act as buttons (they open a dialog or a row form; without
  // JavaScript they lead to a page) answer the space bar as buttons do.
  document.addEventListener("keydown", function (event) {
    var link = event.target.closest && event.target.closest('a[role="button"]');
    if (link && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault();
      link.click();
    }
  });

  // One new row at a time: an element with data-single="<selector>" whose
  // request would add a second such row (a double click) focuses the open one.
  document.addEventListener("htmx:confirm", function (event) {
    var selector = event.detail.elt.getAttribute("data-single");
    var open = selector && document.querySelector(selector);
    if (open) {
      event.preventDefault();
      var field = open.querySelector("textarea, input:not([type=hidden]), select");
      if (field) { field.focus(); }
    }
  });

  // The row it adds takes the focus: a keyboard user types in it straight
  // away instead of hunting for it above the button.
  document.addEventListener("htmx:afterSettle", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    var selector = trigger && trigger.getAttribute && trigger.getAttribute("data-single");
    var open = selector && document.querySelector(selector);
    var field = open && open.querySelector("textarea, input:not([type=hidden]), select");
    if (field && !open.contains(document.activeElement)) { field.focus(); }
  });

  // Small actions marked in the markup (the Content-Security-Policy allows
  // no inline handlers): data-remove-closest="<selector>" takes that
  // ancestor out of the page (an unsaved new row's «Hủy»);
  // data-disable-form-buttons disables its form's buttons once the form is
  // on its way (after this click's submit, which still carries the button's
  // value), so a double click sends once; data-submit-on-change sends its
  // form when the choice changes (the dashboard's period and plan).
  document.addEventListener("click", function (event) {
    var remover = event.target.closest && event.target.closest("[data-remove-closest]");
    if (remover) {
      var gone = remover.closest(remover.getAttribute("data-remove-closest"));
      if (gone) { gone.remove(); }
      return;
    }
    var sender = event.target.closest && event.target.closest("[data-disable-form-buttons]");
    if (sender && sender.form) {
      var buttons = sender.form.querySelectorAll("button");
      setTimeout(function () {
        buttons.forEach(function (button) { button.disabled = true; });
      });
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("[data-submit-on-change]") && select.form) {
      select.form.submit();
    }
  });

  function init(root) {
    root.querySelectorAll("form[data-confirm][data-confirm-open]").forEach(askFor);
    root.querySelectorAll("[data-formset]").forEach(initFormset);
    root.querySelectorAll("select[data-agency-picker]").forEach(initPicker);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
