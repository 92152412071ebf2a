// Accessibility behaviour shared by every page (loaded by base.html after
// portal.js): messages read out by screen readers, tables that scroll inside
// their box reachable by keyboard, row buttons named after their row, focus
// kept where it was after an htmx swap. No build step.
(function () {
  "use strict";

  // Screen readers announce a live region's changes, not what it held when
  // the page loaded: the messages of a redirect are copied into one after load.
  var regions = {};
  function liveRegion(kind) {
    if (!regions[kind]) {
      var region = document.createElement("div");
      region.className = "visually-hidden";
      region.setAttribute("aria-live", kind === "alert" ? "assertive" : "polite");
      region.setAttribute("aria-atomic", "true");
      region.id = "announce-" + kind;
      document.body.appendChild(region);
      regions[kind] = region;
    }
    return regions[kind];
  }

  function announce(root) {
    var messages = root.querySelectorAll("[role=status].alert, [role=alert].alert");
    if (!messages.length) { return; }
    var texts = { status: [], alert: [] };
    messages.forEach(function (message) { texts[message.getAttribute("role")].push(message.textContent.trim()); });
    ["status", "alert"].forEach(function (kind) {
      if (!texts[kind].length) { return; }
      var region = liveRegion(kind);
      region.textContent = "";
      // After the region is in the accessibility tree, so the change is heard.
      setTimeout(function () { region.textContent = texts[kind].join(" "); }, 250);
    });
  }

  // A box that scrolls sideways (a wide table on a phone) is reachable by
  // keyboard and named after its heading (WCAG 2.1.1); one that fits is left alone.
  function nameOf(box) {
    if (box.dataset.regionLabel) { return box.dataset.regionLabel; }
    var caption = box.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    for (var node = box; node && node !== document.body; node = node.parentElement) {
      for (var before = node.previousElementSibling; before; before = before.previousElementSibling) {
        if (/^H[1-6]$/.test(before.tagName)) { return before.textContent.trim(); }
        var inner = before.querySelector && before.querySelector("h1, h2, h3, h4, h5, h6");
        if (inner) { return inner.textContent.trim(); }
      }
    }
    return "Bảng";
  }

  function markScrollBoxes(root) {
    root.querySelectorAll(".table-responsive, [data-scroll-region]").forEach(function (box) {
      var sideways = box.scrollWidth > box.clientWidth + 1;
      var scrolls = sideways || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box) + (sideways ? " (cuộn ngang để xem hết)" : " (cuộn để xem hết)"));
        box.dataset.a11yScroll = "1";
      } else if (!scrolls && box.dataset.a11yScroll) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.a11yScroll;
      }
    });
  }

  // «↑», «↓», «Xóa» of every row would all sound alike: each is named after
  // its row (data-row-label when the page gives one, else its place).
  var ACTIONS = { up: "Chuyển lên", down: "Chuyển xuống", remove: "Xóa" };
  function nameRowButtons(root) {
    var containers = root.matches && root.matches("[data-formset]") ? [root] : [];
    containers = containers.concat(Array.prototype.slice.call(root.querySelectorAll("[data-formset]")));
    if (root !== document && root.closest) {
      var outer = root.closest("[data-formset]");
      if (outer) { containers.push(outer); }
    }
    containers.forEach(function (container) {
      var rows = container.querySelectorAll(".formset-row:not(.formset-row-deleted)");
      rows.forEach(function (row, index) {
        row.querySelectorAll("button[data-row-action]").forEach(function (button) {
          var action = ACTIONS[button.dataset.rowAction];
          if (!action) { return; }
          var label = button.dataset.rowLabel || ("dòng " + (index + 1));
          button.setAttribute("aria-label", action + " " + label);
        });
      });
    });
  }

  // An htmx swap replaces the element that had focus: focus returns to the
  // same control in the new content (by id or name), else to the new content
  // itself, instead of falling to the top of the page.
  // The control is remembered when the request starts too: hx-disabled-elt
  // disables a focused «Lưu» button during the request, which drops the focus
  // to the page before the swap.
  var lostFocus = null;
  var requested = null;
  function focusIn(target) {
    var active = document.activeElement;
    return active && active !== document.body && target && target.contains(active)
      ? { id: active.id, name: active.getAttribute("name"), target: target.id, within: target } : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) { requested = focusIn(event.detail.target); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    lostFocus = focusIn(target) || (requested && requested.within === target ? requested : null);
    requested = null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var remembered = lostFocus;
    lostFocus = null;
    if (!remembered || (document.activeElement && document.activeElement !== document.body)) { return; }
    var content = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt
      : (remembered.target && document.getElementById(remembered.target));
    if (!content) { return; }
    var next = (remembered.id && document.getElementById(remembered.id)) ||
      (remembered.name && content.querySelector('[name="' + remembered.name.replace(/"/g, "") + '"]')) ||
      content.querySelector("a[href], button:not([disabled]), input:not([type=hidden]), select, textarea");
    if (!next) {
      next = content;
      if (!next.hasAttribute("tabindex")) { next.setAttribute("tabindex", "-1"); }
    }
    next.focus();
  });

  function init(root) {
    markScrollBoxes(root === document ? document : root);
    nameRowButtons(root);
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { markScrollBoxes(document); }, 200);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-row-action]");
    if (button) { nameRowButtons(button.closest("[data-formset]") || document); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    var messages = document.getElementById("messages");
    if (messages) { announce(messages); }
  });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  document.addEventListener("htmx:afterSwap", function (event) { if (event.target.isConnected) { announce(event.target); } });
})();
