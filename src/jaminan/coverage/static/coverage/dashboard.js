// Coverage dashboard charts: trend by segment (stacked) and participants by area, from json_script.
(function () {
  "use strict";
  var node = document.getElementById("coverage-chart-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var lang = document.documentElement.lang || "id";
  var colours = { PU: "#198754", BPU: "#0d6efd", JAKON: "#fd7e14", PMI: "#6f42c1" };
  var fmt = function (v) { return Number(v).toLocaleString(lang); };
  window.jaminanCharts = window.jaminanCharts || {};
  var trend = document.getElementById("trend-chart");
  if (trend) {
    var datasets = Object.keys(data.trend.series).map(function (segment) {
      return { label: segment, data: data.trend.series[segment], backgroundColor: colours[segment], stack: "s" };
    });
    window.jaminanCharts.trend = new Chart(trend, {
      type: "bar",
      data: { labels: data.trend.labels, datasets: datasets },
      options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { callback: fmt } } } }
    });
    trend.dataset.rendered = "true";
  }
  var areas = document.getElementById("area-chart");
  if (areas) {
    window.jaminanCharts.areas = new Chart(areas, {
      type: "bar",
      data: { labels: data.areas.labels, datasets: [{ label: data.areas.label, data: data.areas.active, backgroundColor: "#198754" }] },
      options: { indexAxis: "y", responsive: true, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { callback: fmt } } } }
    });
    areas.dataset.rendered = "true";
  }
  var claims = document.getElementById("claims-chart");
  if (claims && data.claims) {
    window.jaminanCharts.claims = new Chart(claims, {
      type: "bar",
      data: { labels: data.claims.labels, datasets: [{ label: data.claims.label, data: data.claims.amount, backgroundColor: "#0d6efd" }] },
      options: { indexAxis: "y", responsive: true, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { callback: fmt } } } }
    });
    claims.dataset.rendered = "true";
  }
})();
