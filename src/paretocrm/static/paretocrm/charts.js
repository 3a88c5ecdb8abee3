/* Pareto CRM charts: draw Plotly charts from data embedded with Django's json_script. */
(function () {
  "use strict";
  var FONT = getComputedStyle(document.documentElement).getPropertyValue("--font") ||
    "PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif";
  var BRAND = "#1b4d89", ACCENT = "#d9822b";
  var TIER_COLOURS = { core: "#d9822b", key: "#1b4d89", ordinary: "#9aa5b1", potential: "#16794c", low_value: "#8e7cc3" };

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function layout(extra) {
    var base = { margin: { l: 56, r: 16, t: 12, b: 48 }, font: { family: FONT, size: 12 },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", showlegend: false,
      xaxis: { gridcolor: "#eef1f4", zeroline: false }, yaxis: { gridcolor: "#eef1f4", zeroline: false } };
    return Object.assign(base, extra || {});
  }
  function draw(el, traces, extra) {
    if (!el || !window.Plotly) { return; }
    window.Plotly.newPlot(el, traces, layout(extra), { displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["lasso2d", "select2d"] });
  }
  function text(el, name) { return el.getAttribute("data-" + name) || ""; }

  var charts = {
    pareto: function (el, d) {
      draw(el, [
        { x: d.customer_share, y: d.value_share, mode: "lines", line: { color: BRAND, width: 3 },
          fill: "tozeroy", fillcolor: "rgba(27,77,137,0.08)", name: text(el, "label"),
          hovertemplate: "%{x:.0%} → %{y:.0%}<extra></extra>" },
        { x: [0, 1], y: [0, 1], mode: "lines", line: { color: "#9aa5b1", dash: "dot" }, hoverinfo: "skip" },
        { x: [0.2, 0.2], y: [0, 1], mode: "lines", line: { color: ACCENT, dash: "dash" }, hoverinfo: "skip" }
      ], { xaxis: { title: { text: text(el, "x") }, tickformat: ".0%", range: [0, 1], gridcolor: "#eef1f4" },
           yaxis: { title: { text: text(el, "y") }, tickformat: ".0%", range: [0, 1.02], gridcolor: "#eef1f4" } });
    },
    bars: function (el, d) {
      var colours = (d.codes || []).map(function (c) { return TIER_COLOURS[c] || BRAND; });
      draw(el, [{ type: "bar", x: d.labels, y: d.counts, marker: { color: colours.length ? colours : BRAND },
        hovertemplate: "%{x}: %{y}<extra></extra>" }], {
          // automargin: long tier names (e.g. "Low-value customer") get the room they need
          xaxis: { automargin: true, gridcolor: "#eef1f4" },
          yaxis: { title: { text: text(el, "y") }, gridcolor: "#eef1f4", automargin: true } });
    },
    funnel: function (el, d) {
      draw(el, [{ type: "funnel", y: d.labels, x: d.counts, marker: { color: [BRAND, "#3d73b3", "#16794c", "#b42318"] },
        textinfo: "value+percent total" }], { margin: { l: 110, r: 16, t: 12, b: 24 } });
    },
    trend: function (el, d) {
      var hover = "%{x}: %{y:,.0f} " + d.currency + "<extra></extra>";
      // The running month is drawn apart (dashed, open marker, labelled) so its lower
      // month-to-date total does not read as a collapse.
      var full = d.partial ? d.months.length - 1 : d.months.length;
      var traces = [{ type: "scatter", mode: "lines+markers", x: d.months.slice(0, full), y: d.revenue.slice(0, full),
        line: { color: BRAND, width: 2 }, marker: { size: 4 }, hovertemplate: hover }];
      if (d.partial && d.months.length) {
        var from = Math.max(full - 1, 0);
        traces.push({ type: "scatter", mode: "lines+markers+text", x: d.months.slice(from), y: d.revenue.slice(from),
          line: { color: BRAND, width: 2, dash: "dot" }, marker: { size: 7, symbol: "circle-open", color: ACCENT },
          text: d.months.slice(from).map(function (_m, i, all) { return i === all.length - 1 ? d.partial_label : ""; }),
          textposition: "top left", textfont: { color: ACCENT },
          hovertemplate: "%{x} (" + d.partial_label + "): %{y:,.0f} " + d.currency + "<extra></extra>" });
      }
      draw(el, traces,
        { yaxis: { title: { text: text(el, "y") }, gridcolor: "#eef1f4", tickformat: ",.0f", automargin: true } });
    },
    contributions: function (el, d) {
      draw(el, [{ type: "bar", orientation: "h", y: d.labels, x: d.values, marker: { color: BRAND },
        hovertemplate: "%{y}: %{x:.1f}<extra></extra>" }],
        { margin: { l: 170, r: 16, t: 8, b: 36 }, yaxis: { autorange: "reversed" },
          xaxis: { title: { text: text(el, "x") }, gridcolor: "#eef1f4" } });
    },
    matrix: function (el, d) {
      var traces = d.tiers.map(function (tier) {
        var pts = d.points.filter(function (p) { return p.tier === tier.code; });
        return { type: "scatter", mode: "markers", name: tier.label,
          x: pts.map(function (p) { return p.current; }), y: pts.map(function (p) { return p.potential; }),
          text: pts.map(function (p) { return p.name; }), customdata: pts.map(function (p) { return p.url; }),
          marker: { color: TIER_COLOURS[tier.code] || BRAND, size: 9, opacity: 0.8, line: { color: "#fff", width: 1 } },
          hovertemplate: "%{text}<br>%{x:.0f} × %{y:.0f}<extra>" + tier.label + "</extra>" };
      });
      draw(el, traces, { showlegend: true, legend: { orientation: "h", y: -0.2 },
        xaxis: { title: { text: text(el, "x") }, range: [0, 102], gridcolor: "#eef1f4" },
        yaxis: { title: { text: text(el, "y") }, range: [0, 102], gridcolor: "#eef1f4" } });
      el.on("plotly_click", function (ev) {
        var url = ev.points && ev.points[0] && ev.points[0].customdata;
        if (url) { window.location.href = url; }
      });
    }
  };

  function render(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart"), d = data(el.getAttribute("data-source"));
      if (d && charts[kind]) { charts[kind](el, d); el.setAttribute("data-rendered", "true"); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  window.paretoCharts = { render: render };
})();
