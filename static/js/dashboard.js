// Charts of the compliance dashboard (Chart.js, served locally). The numbers
// come from the page (json_script "dashboard-data"), the same the tables show.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  // A chart's height grows with its rows (data-height, in px, from the page;
  // CSS gives its floor); set here since the page carries no style attribute.
  document.querySelectorAll(".chart-box[data-height]").forEach((box) => {
    box.style.height = `${parseInt(box.dataset.height, 10) || 0}px`;
  });
  const number = new Intl.NumberFormat("vi-VN");
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";
  Chart.defaults.animation = false; // drawn once, read at a glance; no motion to wait for
  Chart.defaults.maintainAspectRatio = false;

  const shortLabel = (text, max) => (text.length > max ? text.slice(0, max - 1) + "…" : text);
  // Names beside a bar: shorter on a phone, where a long one is cut at the
  // card's edge (the table under each chart has them whole).
  const labelRoom = (chart) => (chart.width < 480 ? 18 : 34);
  const tooltipNumber = {
    callbacks: {
      label: (ctx) => `${ctx.dataset.label}: ${number.format(ctx.parsed[ctx.chart.options.indexAxis === "y" ? "x" : "y"])}`,
    },
  };

  function stackedBar(id, labels, datasets, options = {}) {
    const canvas = document.getElementById(id);
    if (!canvas || !labels.length) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels, datasets },
      options: Object.assign({
        indexAxis: "y",
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0, callback: (v) => number.format(v) } },
          y: { stacked: true, ticks: { autoSkip: false, callback(value) { return shortLabel(this.getLabelForValue(value), labelRoom(this.chart)); } } },
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } }, tooltip: tooltipNumber },
      }, options),
    });
  }

  function statusSets(group) {
    return data.states.map((s) => ({ label: s.label, backgroundColor: s.color, data: group.series[s.key] }))
      .filter((set) => set.data.some((v) => v > 0));
  }

  stackedBar("chart-kinds", data.kinds.labels, statusSets(data.kinds));
  stackedBar("chart-branches", data.branches.labels, statusSets(data.branches));
  stackedBar("chart-progress", data.progress.labels,
    data.progress.series.map((s) => ({ label: s.label, backgroundColor: s.color, data: s.data })));
  stackedBar("chart-products", data.products.labels,
    data.products.series.filter((s) => s.data.some((v) => v > 0))
      .map((s) => ({ label: s.label, backgroundColor: s.color, data: s.data })));

  const channels = document.getElementById("chart-channels");
  if (channels && data.channels.labels.length) {
    new Chart(channels, {
      type: "bar",
      data: {
        labels: data.channels.labels,
        datasets: data.channels.series.map((s) => ({ label: s.label, backgroundColor: s.color, data: s.data })),
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } },
          y: { ticks: { autoSkip: false, callback(value) { return shortLabel(this.getLabelForValue(value), labelRoom(this.chart)); } } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.parsed.x.toLocaleString("vi-VN")}` } },
        },
      },
    });
  }

  const trend = document.getElementById("chart-trend");
  if (trend && data.trend.labels.length) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: data.trend.labels,
        datasets: data.trend.series.map((s) => ({
          label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, tension: 0.2, pointRadius: 4,
        })),
      },
      options: {
        scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.parsed.y.toLocaleString("vi-VN")}` } },
        },
      },
    });
  }
})();
