// Coverage choropleth (Leaflet, offline: no tile layer). Boundaries and figures come from the page's
// data-* URLs; clicking a regency shows its figures in the side panel.
(function () {
  "use strict";
  var el = document.getElementById("coverage-map");
  if (!el || typeof L === "undefined") { return; }
  var labels = JSON.parse(document.getElementById("map-labels").textContent);
  var lang = document.documentElement.lang || "id";
  var num = function (v) { return v === null || v === undefined ? "–" : Number(v).toLocaleString(lang); };
  var pct = function (v) { return v === null || v === undefined ? "–" : Number(v).toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + "%"; };
  var esc = function (s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]; }); };
  var map = L.map(el, { attributionControl: true, zoomSnap: 0.25 });
  map.attributionControl.addAttribution("© 2024 Cahya DSN (MIT) · idn-area-data (ODbL)");
  var palette = ["#f7fcf5", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"];
  var metric = "active";  // regency workforce figures are rare: participants by default
  var figures = {};
  var layer = null;
  var maxActive = 1;

  function value(code) {
    var f = figures[code];
    if (!f) { return null; }
    return metric === "coverage" ? (f.coverage_pct === null ? null : Number(f.coverage_pct)) : f.active;
  }
  function colour(v) {
    if (v === null) { return "#d9d9d9"; }
    var share = metric === "coverage" ? Math.min(v, 100) / 100 : v / maxActive;
    return palette[Math.min(palette.length - 1, Math.floor(share * palette.length))];
  }
  function style(feature) {
    return { color: "#555", weight: 0.6, fillOpacity: 0.85, fillColor: colour(value(feature.properties.code)) };
  }
  function legend() {
    var box = document.getElementById("map-legend");
    var top = metric === "coverage" ? 100 : maxActive;
    var html = "";
    for (var i = 0; i < palette.length; i++) {
      var low = top * i / palette.length, high = top * (i + 1) / palette.length;
      html += '<div><span style="display:inline-block;width:14px;height:14px;background:' + palette[i] + ';border:1px solid #999"></span> ' +
        (metric === "coverage" ? pct(low) + " – " + pct(high) : num(Math.round(low)) + " – " + num(Math.round(high))) + "</div>";
    }
    html += '<div><span style="display:inline-block;width:14px;height:14px;background:#d9d9d9;border:1px solid #999"></span> ' + esc(labels.none) + "</div>";
    box.innerHTML = html;
  }
  function show(feature) {
    var p = feature.properties, f = figures[p.code] || {};
    var d = f.denominator;
    var segs = f.segments || {};
    var html = '<h2 class="h6" id="panel-name">' + esc(p.full_name || p.name) + "</h2>" +
      '<div class="small text-muted mb-2">' + esc(p.province_name) + " · " + esc(p.code) + "</div>" +
      '<dl class="row small mb-0">' +
      '<dt class="col-7">' + esc(labels.active) + '</dt><dd class="col-5 text-end" id="panel-active">' + num(f.active) + "</dd>" +
      '<dt class="col-7">' + esc(labels.coverage) + '</dt><dd class="col-5 text-end" id="panel-coverage">' + pct(f.coverage_pct) + "</dd>" +
      '<dt class="col-7">' + esc(labels.gap) + '</dt><dd class="col-5 text-end">' + num(f.gap) + "</dd>" +
      '<dt class="col-7">' + esc(labels.growth) + '</dt><dd class="col-5 text-end">' + pct(f.growth_pct) + "</dd>";
    Object.keys(segs).forEach(function (s) { html += '<dt class="col-7 fw-normal">' + esc(s) + '</dt><dd class="col-5 text-end">' + num(segs[s]) + "</dd>"; });
    html += "</dl>";
    html += '<div class="small mt-2">' + esc(labels.denominator) + ": " + (d ? esc(d.basis_label) + " " + num(d.value) + " (" + esc(d.period) + ")<br><span class=\"text-muted\">" + esc(labels.source) + ": " + esc(d.source) + "</span>" : esc(labels.none)) + "</div>";
    html += '<a class="btn btn-sm btn-outline-success mt-2" href="' + el.dataset.dashboard + "&area=" + encodeURIComponent(p.code) + '">' + esc(labels.open) + "</a>";
    document.getElementById("regency-panel").innerHTML = html;
  }
  function draw(geojson) {
    if (layer) { layer.remove(); }
    layer = L.geoJSON(geojson, {
      style: style,
      onEachFeature: function (feature, lyr) {
        lyr.bindTooltip(feature.properties.name);
        lyr.on("click", function () { show(feature); });
      }
    });
    if (!map._loaded) { map.fitBounds(layer.getBounds()); }
    layer.addTo(map);
    layer.eachLayer(function (lyr) {
      var e = lyr.getElement && lyr.getElement();
      if (e) { e.setAttribute("data-code", lyr.feature.properties.code); }
    });
    legend();
  }
  Promise.all([
    fetch(el.dataset.boundaries, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
    fetch(el.dataset.figures, { credentials: "same-origin" }).then(function (r) { return r.json(); })
  ]).then(function (results) {
    var geojson = results[0];
    figures = results[1].regencies || {};
    Object.keys(figures).forEach(function (k) { maxActive = Math.max(maxActive, figures[k].active || 0); });
    draw(geojson);
    document.querySelectorAll("#map-metric input").forEach(function (input) {
      input.addEventListener("change", function () { metric = input.value; layer.setStyle(style); legend(); });
    });
    el.dataset.rendered = "true";
    window.jaminanMap = { map: map, layer: function () { return layer; }, show: show };
  });
})();
