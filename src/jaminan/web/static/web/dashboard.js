// Dashboard chart: PLKK per province, data from the json_script block of web/home.html.
(function () {
  "use strict";
  var dataNode = document.getElementById("plkk-chart-data");
  var canvas = document.getElementById("plkk-chart");
  if (!dataNode || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var lang = document.documentElement.lang || "id";
  var chart = new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.plkk, backgroundColor: "#198754" }] },
    options: {
      responsive: true,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return Number(v).toLocaleString(lang); } } } }
    }
  });
  canvas.dataset.rendered = "true";
  window.jaminanCharts = window.jaminanCharts || {};
  window.jaminanCharts.plkk = chart;
})();
