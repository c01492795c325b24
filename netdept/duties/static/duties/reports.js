/* Duty compliance reports: charts from the page's JSON (json_script "dr-report-data"), the
 * custom-period fields, the print button. No data and no text live in this file. Fines and
 * rewards are drawn as two series side by side: never one netted bar. */
(function () {
  "use strict";

  function el(id) { return document.getElementById(id); }

  function chart(id, option) {
    var node = el(id);
    if (!node || typeof window.echarts === "undefined") { return null; }
    // Canvas and rich-text tooltips: no inline styles (Content-Security-Policy).
    var c = window.echarts.init(node, null, { renderer: "canvas" });
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    c.setOption(option);
    return c;
  }

  function drawCharts() {
    var source = el("dr-report-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    var d = data.daily;
    charts.push(chart("dr-chart-daily", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 48 },
      xAxis: { type: "category", data: d.dates },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: d.dates.length > 62 ? [{ type: "slider", height: 16, bottom: 4 }] : [],
      series: [
        { name: d.labels.on_time, type: "bar", stack: "due", data: d.on_time, itemStyle: { color: "#2f9e44" } },
        { name: d.labels.late, type: "bar", stack: "due", data: d.late, itemStyle: { color: "#f08c00" } },
        { name: d.labels.missed, type: "bar", stack: "due", data: d.missed, itemStyle: { color: "#c92a2a" } },
        { name: d.labels.open, type: "bar", stack: "due", data: d.open, itemStyle: { color: "#adb5bd" } }
      ]
    }));
    var c = data.compliance;
    charts.push(chart("dr-chart-compliance", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + " %"; } },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: c.teams, inverse: true },
      series: [{ name: c.label, type: "bar", data: c.rates, itemStyle: { color: "#1c7ed6" } }]
    }));
    var l = data.ledgers;
    charts.push(chart("dr-chart-ledgers", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0 },
      yAxis: { type: "category", data: l.teams, inverse: true },
      series: [
        { name: l.labels.fines, type: "bar", data: l.fines, itemStyle: { color: "#c92a2a" } },
        { name: l.labels.rewards, type: "bar", data: l.rewards, itemStyle: { color: "#2f9e44" } }
      ]
    }));
    window.addEventListener("resize", function () {
      charts.forEach(function (x) { if (x) { x.resize(); } });
    });
  }

  function customPeriod() {
    var select = el("id_period");
    if (!select) { return; }
    function sync() {
      var custom = select.value === "custom";
      document.querySelectorAll(".dr-custom-dates").forEach(function (n) {
        n.classList.toggle("d-none", !custom);
      });
    }
    select.addEventListener("change", sync);
    sync();
  }

  function printButtons() {
    document.querySelectorAll("[data-dr-print]").forEach(function (b) {
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
