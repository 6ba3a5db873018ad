// The dashboard's stacked bar chart (ECharts, vendored); data from the json_script "aspect-chart-data".
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("aspect-chart-data").textContent);
  var box = document.getElementById("aspect-chart");
  if (!window.echarts || !box) { return; }
  var colors = {planned: "#8c959f", in_progress: "#bf8700", submitted: "#0a58ca", returned: "#cf222e", continuing: "#54aeff", closed: "#1a7f37"};
  var chart = echarts.init(box, null, {renderer: "canvas"});
  chart.setOption({
    // Drawn on the canvas: an HTML tooltip would need inline styles the Content-Security-Policy refuses.
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, renderMode: "richText"},
    legend: {top: 0, type: "scroll"},
    grid: {left: 8, right: 16, bottom: 8, top: 48, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", data: data.aspects, inverse: true, axisLabel: {width: 96, overflow: "truncate"}},
    series: data.series.map(function (s) {
      return {name: s.name, type: "bar", stack: "total", data: s.data, itemStyle: {color: colors[s.key]}, emphasis: {focus: "series"}};
    })
  });
  // A click opens the ledger rows the bar segment counts.
  chart.on("click", function (p) {
    var s = data.series[p.seriesIndex];
    window.location.href = data.ledgerUrl + "?aspect=" + encodeURIComponent(data.aspectKeys[p.dataIndex]) + "&status=" + encodeURIComponent(s.key);
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
