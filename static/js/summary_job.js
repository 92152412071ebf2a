// A summary document being built by the worker (templates/reports/summary_job.html):
// asks how far it is every two seconds and, once done, offers the file.
(function () {
  "use strict";
  const box = document.getElementById("summary-job");
  if (!box || !box.dataset.statusUrl) return;
  const bar = document.getElementById("summary-job-progress");
  const step = document.getElementById("summary-job-step");
  const link = document.getElementById("summary-job-download");
  const failed = document.getElementById("summary-job-failed");

  function show(job) {
    bar.value = job.progress;
    bar.textContent = `${job.progress}%`;
    step.textContent = job.step;
    if (job.status === "done") {
      link.href = job.download;
      link.hidden = false;
      link.focus();
      return true;
    }
    if (job.status === "failed") {
      failed.hidden = false;
      return true;
    }
    return false;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((job) => { if (!show(job)) window.setTimeout(poll, 2000); })
      .catch(() => window.setTimeout(poll, 5000)); // a restart or a blip: keep asking, slower
  }
  if (box.dataset.finished !== "true") window.setTimeout(poll, 1000);
})();
