// The patient page's chart. Data comes from a JSON <script> block (json_script), so the page
// needs no inline script and works under the admin's Content-Security-Policy.
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  var source = document.getElementById("chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  var datasets = [];
  data.severity.forEach(function (line, i) {
    var colour = palette[i % palette.length];
    datasets.push({
      type: "line", label: line.label + ": worst", data: line.worst, borderColor: colour,
      backgroundColor: colour, spanGaps: true, yAxisID: "severity", tension: 0.2, pointRadius: 3,
      clinicKind: "worst"
    });
    datasets.push({
      type: "line", label: line.label + ": mean", data: line.mean, borderColor: colour,
      backgroundColor: colour, borderDash: [4, 4], spanGaps: true, yAxisID: "severity",
      pointRadius: 0, clinicKind: "mean"
    });
  });
  datasets.push({
    type: "bar", label: "Ice (minutes)", data: data.ice_minutes, yAxisID: "minutes",
    backgroundColor: "rgba(80, 160, 230, 0.35)", clinicKind: "ice"
  });
  datasets.push({
    type: "bar", label: "Heat (minutes)", data: data.heat_minutes, yAxisID: "minutes",
    backgroundColor: "rgba(240, 140, 60, 0.35)", clinicKind: "heat"
  });
  if (data.peg && data.peg.some(function (v) { return v !== null; })) {
    // The weekly PEG score (0-10, like severity), beside the pain it summarises.
    datasets.push({
      type: "line", label: "PEG score (weekly)", data: data.peg, borderColor: "#000000",
      backgroundColor: "#000000", borderWidth: 3, spanGaps: true, yAxisID: "severity",
      pointStyle: "rectRot", pointRadius: 6, clinicKind: "peg"
    });
  }
  datasets.push({
    type: "scatter", label: "Alert opened",
    data: data.alerts_opened.map(function (n) { return n ? 10 : null; }),
    yAxisID: "severity", pointStyle: "triangle", pointRadius: 9, borderColor: "#b00020",
    backgroundColor: "#b00020", showLine: false, clip: false, clinicKind: "alerts"
  });
  new Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        severity: { type: "linear", position: "left", min: 0, max: 10,
                    title: { display: true, text: "Severity (0-10)" } },
        minutes: { type: "linear", position: "right", min: 0, grid: { drawOnChartArea: false },
                   title: { display: true, text: "Ice / heat minutes" } }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });
  canvas.dataset.ready = "true";
})();
