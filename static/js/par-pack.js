// The evidence pack's panel (templates/par/partials/pack.html): while the
// worker builds the ZIP, asks how far it is every two seconds and, once
// ready, shows its size and the download button.
(function () {
  "use strict";
  const box = document.getElementById("par-pack");
  if (!box || !box.dataset.progressUrl) return;
  const element = (id) => document.getElementById(id);
  const bar = element("par-pack-progress");
  const status = element("par-pack-status");

  function show(pack) {
    status.textContent = pack.stale ? "Đã cũ: dữ liệu thay đổi sau khi tạo" : pack.label;
    bar.hidden = !pack.busy;
    bar.value = pack.percent;
    bar.textContent = `${pack.percent}%`;
    element("par-pack-facts").hidden = !pack.ready;
    element("par-pack-files").textContent = pack.files;
    element("par-pack-size").textContent = pack.size;
    element("par-pack-built").textContent = pack.built_at;
    const error = element("par-pack-error");
    error.hidden = pack.status !== "failed";
    error.textContent = pack.error;
    element("par-pack-stale").hidden = !pack.stale;
    const link = element("par-pack-download");
    link.hidden = !pack.ready;
    if (pack.ready) link.href = pack.download;
    const build = element("par-pack-build");
    if (build) build.disabled = pack.busy;
    return !pack.busy;
  }

  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((pack) => { if (!show(pack)) window.setTimeout(poll, 2000); })
      .catch(() => window.setTimeout(poll, 5000)); // a restart or a blip: keep asking, slower
  }
  if (box.dataset.busy === "true") window.setTimeout(poll, 1000);
})();
