/* Service reports: charts from the JSON of the page (json_script "wo-report-data"),
 * the custom-period fields and the print button. No data and no text live in this file. */
(function () {
  "use strict";

  function el(id) { return document.getElementById(id); }

  function chart(id, option) {
    var node = el(id);
    if (!node || typeof window.echarts === "undefined") { return null; }
    // Canvas, and tooltips drawn on it (richText): the SVG renderer and the HTML tooltips
    // write inline style attributes, which the Content-Security-Policy refuses.
    var c = window.echarts.init(node, null, { renderer: "canvas" });
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    c.setOption(option);
    return c;
  }

  function drawCharts() {
    var source = el("wo-report-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    var d = data.daily;
    charts.push(chart("wo-chart-daily", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 48 },
      xAxis: { type: "category", data: d.dates },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: d.dates.length > 62 ? [{ type: "slider", height: 16, bottom: 4 }] : [],
      series: [
        { name: d.labels.received, type: "bar", data: d.received },
        { name: d.labels.resolved, type: "line", smooth: true, data: d.resolved }
      ]
    }));
    var s = data.sla;
    charts.push(chart("wo-chart-sla", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + " %"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: s.teams, inverse: true },
      series: [
        { name: s.labels.response, type: "bar", data: s.response },
        { name: s.labels.resolution, type: "bar", data: s.resolution }
      ]
    }));
    var r = data.satisfaction;
    charts.push(chart("wo-chart-satisfaction", {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: r.stars },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: r.label, type: "bar", data: r.counts,
                 itemStyle: { color: "#f0ad4e" } }]
    }));
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { if (c) { c.resize(); } });
    });
  }

  function customPeriod() {
    var select = el("id_period");
    if (!select) { return; }
    function sync() {
      var custom = select.value === "custom";
      document.querySelectorAll(".wo-custom-dates").forEach(function (n) {
        n.classList.toggle("d-none", !custom);
      });
    }
    select.addEventListener("change", sync);
    sync();
  }

  function printButtons() {
    document.querySelectorAll("[data-wo-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  function init() { customPeriod(); printButtons(); drawCharts(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
