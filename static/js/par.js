// PAR Index pages (templates/par/): the ranking's charts (Chart.js, served
// locally) from the page's json_script "par-data", the numbers the table shows.
(function () {
  "use strict";
  // A chart's height grows with its rows (data-height, in px, from the page;
  // CSS gives its floor); set here since the page carries no style attribute.
  document.querySelectorAll(".chart-box[data-height]").forEach((box) => {
    box.style.height = `${parseInt(box.dataset.height, 10) || 0}px`;
  });
  const source = document.getElementById("par-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const points = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  const shortLabel = (text, max) => (text.length > max ? text.slice(0, max - 1) + "…" : text);

  const scores = document.getElementById("chart-scores");
  if (scores && data.units.length) {
    const datasets = [{ label: "Tự đánh giá", backgroundColor: "#8fb3d9", data: data.self }];
    if (data.final.some((v) => v !== null)) {
      datasets.push({ label: "Thẩm định", backgroundColor: "#0b4f8a", data: data.final });
    }
    new Chart(scores, {
      type: "bar",
      data: { labels: data.units, datasets },
      options: {
        indexAxis: "y",
        scales: {
          x: { beginAtZero: true, max: data.max || undefined, ticks: { callback: (v) => points.format(v) } },
          y: { ticks: { autoSkip: false, callback(value) { return shortLabel(this.getLabelForValue(value), this.chart.width < 480 ? 16 : 32); } } },
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${points.format(ctx.parsed.x)} điểm` } },
        },
      },
    });
  }

  const distribution = document.getElementById("chart-distribution");
  if (distribution && data.bins.length) {
    new Chart(distribution, {
      type: "bar",
      data: { labels: data.bins, datasets: [{ label: "Số đơn vị", backgroundColor: "#0b4f8a", data: data.counts }] },
      options: {
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    });
  }
})();
