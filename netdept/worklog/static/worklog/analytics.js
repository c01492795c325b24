/* The working rhythm's report: bar charts from the page's JSON (json_script "wa-data":
 * {charts: [{id, categories, series: [{name, color, data}], stacked, percent}]}). No data and
 * no text live in this file; canvas and rich-text tooltips (no inline styles under the CSP). */
(function () {
  "use strict";

  function draw(spec) {
    var node = document.getElementById(spec.id);
    if (!node || typeof window.echarts === "undefined") { return null; }
    var instance = window.echarts.init(node, null, { renderer: "canvas" });
    instance.setOption({
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 24, top: spec.series.length > 1 ? 48 : 16, bottom: 8, containLabel: true },
      xAxis: spec.percent ? { type: "value", min: 0, max: 100 } : { type: "value", min: 0 },
      yAxis: { type: "category", data: spec.categories, inverse: true },
      series: spec.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, stack: spec.stacked ? "all" : undefined,
                 itemStyle: { color: s.color } };
      })
    });
    return instance;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("wa-data");
    if (!source) { return; }
    var drawn = JSON.parse(source.textContent).charts.map(draw);
    window.addEventListener("resize", function () {
      drawn.forEach(function (c) { if (c) { c.resize(); } });
    });
  });
})();
