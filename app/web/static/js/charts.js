/* Draws every [data-chart] element from the ECharts option rendered beside it as JSON.
   With data-format="amount" the value axis reads 万/亿 (M/B in English) and the tooltip
   shows the full figure in 元 (series marked `cunbo: "count"` stay whole numbers).
   A point or bar with a link (from the [data-chart-links] JSON beside the chart, one list per
   series, or a `link` on the data item itself) opens it when clicked: the order lines behind
   the figure, or the sessions behind a count. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var units = english ? [[1e9, "B"], [1e6, "M"], [1e3, "K"]] : [[1e8, "亿"], [1e4, "万"]];

  // Up to two decimals, grouped as the reader's language groups digits (1,234.5).
  var axisNumber = new Intl.NumberFormat(english ? "en-US" : "zh-CN", { maximumFractionDigits: 2 });

  function shortAmount(value) {
    if (value === null || value === undefined || isNaN(value)) { return "—"; }
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(value) >= units[i][0]) {
        return axisNumber.format(value / units[i][0]) + units[i][1];
      }
    }
    return axisNumber.format(Number(value));
  }

  function fullAmount(value) {
    if (value === null || value === undefined || isNaN(value)) { return "—"; }
    return Number(value).toLocaleString(english ? "en-US" : "zh-CN",
      { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function eachAxis(axis, apply) {
    if (!axis) { return; }
    (Array.isArray(axis) ? axis : [axis]).forEach(apply);
  }

  function formatAmounts(option) {
    // The value axis: upright for monthly bars, lying down for rankings.
    [option.yAxis, option.xAxis].forEach(function (axes) {
      eachAxis(axes, function (axis) {
        if (axis.type === "value" && !axis.minInterval) {
          axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: shortAmount });
        }
      });
    });
    // Series marked "count" (sessions beside their sales) keep plain whole numbers.
    (option.series || []).forEach(function (series) {
      var formatter = series.cunbo === "count" ? function (v) { return String(v); } : fullAmount;
      series.tooltip = Object.assign({}, series.tooltip, { valueFormatter: formatter });
    });
    return option;
  }

  // Each series' links [seriesIndex][dataIndex] become a `link` on the data item.
  function attachLinks(option, links) {
    (option.series || []).forEach(function (series, index) {
      var own = links[index];
      if (!own || !series.data) { return; }
      series.data = series.data.map(function (value, point) {
        if (!own[point]) { return value; }
        var item = (value !== null && typeof value === "object") ? value : { value: value };
        return Object.assign({}, item, { link: own[point] });
      });
    });
    return option;
  }

  function linkOf(params) {
    return params && params.data && typeof params.data === "object" ? params.data.link : null;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.querySelector('[data-chart-option="' + element.id + '"]');
    if (!source) { return; }
    var option = JSON.parse(source.textContent);
    var links = document.querySelector('[data-chart-links="' + element.id + '"]');
    if (links) { option = attachLinks(option, JSON.parse(links.textContent)); }
    if (element.getAttribute("data-format") === "amount") { option = formatAmounts(option); }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      var link = linkOf(params);
      if (link) { window.location.assign(link); }
    });
    element.setAttribute("data-drawn", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
