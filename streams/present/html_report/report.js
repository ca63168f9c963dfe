
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec"];
  var DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                        21600, 43200, 86400, 172800, 432000, 604800, 1209600, 2592000];
  var W = 720;

  function human(seconds) {
    if (seconds === null || seconds === undefined) { return "-"; }
    var total = Math.floor(seconds), parts = [];
    var units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
    for (var i = 0; i < units.length && parts.length < 2; i++) {
      var value = Math.floor(total / units[i][1]);
      total -= value * units[i][1];
      if (value || (units[i][0] === "s" && !parts.length)) { parts.push(value + units[i][0]); }
    }
    return parts.join(" ");
  }
  function percent(rate) { return Math.round(rate * 100) + "%"; }
  function day(iso) { var p = iso.split("-"); return MONTHS[+p[1] - 1] + " " + (+p[2]); }
  function month(iso) { var p = iso.split("-"); return MONTHS[+p[1] - 1] + " " + p[0]; }

  function svg(tag, attrs, parent) {
    var node = document.createElementNS(NS, tag);
    for (var key in attrs) { node.setAttribute(key, String(attrs[key])); }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function html(tag, cls, text, parent) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== null && text !== undefined) { node.textContent = String(text); }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function tip(node, text) { svg("title", {}, node).textContent = text; return node; }
  function legend(parent, items) {
    var box = html("div", "legend", null, parent);
    items.forEach(function (item) {
      var entry = html("span", null, null, box);
      html("span", "swatch " + item.cls, null, entry);
      entry.appendChild(document.createTextNode(item.name));
    });
  }

  // A y scale from 0 to a "nice" maximum with at most `ticks` steps.
  function scale(max, kind) {
    var steps = DURATION_STEPS, ticks = 5, step;
    if (kind !== "duration") {
      steps = [];
      for (var p = (kind === "percent" ? 0.01 : 1); steps.length < 40; p *= 10) {
        steps.push(p, 2 * p, 5 * p);
      }
    }
    max = Math.max(max, kind === "percent" ? 0.05 : 1);
    for (var i = 0; i < steps.length; i++) {
      step = steps[i];
      if (max / step <= ticks) { break; }
    }
    if (max / step > ticks) { step = step * Math.ceil(max / step / ticks); }
    var count = Math.ceil(max / step - 1e-9);
    var fmt = kind === "duration" ? human : (kind === "percent" ? percent : String);
    return {max: count * step, step: step, count: count, fmt: fmt};
  }

  // Axes and grid of a chart with one band per label; returns coordinate helpers.
  function frame(plot, labels, y, height, left) {
    var m = {top: 12, right: 16, bottom: 34, left: left || 70};
    var root = svg("svg", {viewBox: "0 0 " + W + " " + height, "class": "frame", role: "img"},
                   plot);
    var inner = height - m.top - m.bottom;
    var band = (W - m.left - m.right) / Math.max(labels.length, 1);
    var f = {
      root: root, band: band, base: m.top + inner,
      x: function (i) { return m.left + band * (i + 0.5); },
      y: function (v) { return m.top + inner - (v / y.max) * inner; }
    };
    for (var k = 0; k <= y.count; k++) {
      var v = k * y.step;
      svg("line", {x1: m.left, x2: W - m.right, y1: f.y(v), y2: f.y(v), "class": "grid"}, root);
      svg("text", {x: m.left - 6, y: f.y(v) + 4, "class": "tick", "text-anchor": "end"}, root)
        .textContent = y.fmt(v);
    }
    svg("line", {x1: m.left, x2: W - m.right, y1: f.base, y2: f.base, "class": "axis"}, root);
    var every = Math.ceil(labels.length / 9);
    labels.forEach(function (label, i) {
      if (i % every) { return; }
      svg("text", {x: f.x(i), y: f.base + 18, "class": "tick", "text-anchor": "middle"}, root)
        .textContent = label;
    });
    return f;
  }

  // Lines over weeks; a null value breaks the line. Returns the number of marks.
  function lines(plot, weeks, series, height) {
    var max = 0, marks = 0;
    series.forEach(function (s) {
      s.values.forEach(function (v) { if (v !== null) { max = Math.max(max, v); } });
    });
    var f = frame(plot, weeks.map(day), scale(max, "duration"), height);
    series.forEach(function (s) {
      var d = "", pen = "M";
      s.values.forEach(function (v, i) {
        if (v === null) { pen = "M"; return; }
        d += pen + f.x(i).toFixed(1) + " " + f.y(v).toFixed(1) + " ";
        pen = "L";
      });
      if (d) { svg("path", {d: d, "class": "mark line " + s.cls}, f.root); marks++; }
      s.values.forEach(function (v, i) {
        if (v === null) { return; }
        tip(svg("circle", {cx: f.x(i), cy: f.y(v), r: 3, "class": "mark " + s.cls}, f.root),
            s.name + ", week of " + weeks[i] + ": " + human(v));
        marks++;
      });
    });
    legend(plot, series);
    return marks;
  }

  // Vertical bars, stacked when there are several series; a single series shows a zero
  // as a hairline bar (a month without failed deploys is data). Returns the number of marks.
  function bars(plot, labels, series, kind, describe) {
    var totals = labels.map(function (_, i) {
      return series.reduce(function (sum, s) { return sum + (s.values[i] || 0); }, 0);
    });
    var f = frame(plot, labels, scale(Math.max.apply(null, totals), kind), 240);
    var width = Math.max(2, Math.min(40, f.band * 0.7)), marks = 0;
    labels.forEach(function (label, i) {
      var below = 0;
      series.forEach(function (s) {
        var v = s.values[i];
        if (v === null || v === undefined || (v <= 0 && series.length > 1)) { return; }
        var top = f.y(below + v);
        tip(svg("rect", {x: f.x(i) - width / 2, y: top, width: width,
                         height: Math.max(1, f.y(below) - top), "class": "mark " + s.cls},
                f.root), describe(s, i, v));
        below += v;
        marks++;
      });
    });
    if (series.length > 1) { legend(plot, series); }
    return marks;
  }

  function drawTrend(plot, data) {
    var marks = 0;
    Object.keys(data.trend).forEach(function (severity) {
      var t = data.trend[severity];
      if (!t.mttr_seconds.some(function (v) { return v !== null; })) { return; }
      var count = t.incidents.reduce(function (a, b) { return a + (b || 0); }, 0);
      var name = severity.charAt(0).toUpperCase() + severity.slice(1);
      html("h3", null, name + " (" + count + " resolved)", plot);
      marks += lines(plot, data.weeks, [
        {name: "mean", cls: "mean", values: t.mttr_seconds},
        {name: "p50", cls: "p50", values: t.p50_seconds},
        {name: "p90", cls: "p90", values: t.p90_seconds}
      ], 200);
    });
    return marks;
  }

  function drawByService(plot, data) {
    var rows = data.by_service, rowHeight = 26, left = 150, right = 230;
    var height = rows.length * rowHeight + 40, marks = 0;
    var max = Math.max.apply(null, rows.map(function (r) {
      return Math.max(r.mttr_seconds || 0, r.p90_seconds || 0);
    }));
    var y = scale(max, "duration");
    var root = svg("svg", {viewBox: "0 0 " + W + " " + height, "class": "frame", role: "img"},
                   plot);
    var x = function (v) { return left + (v / y.max) * (W - left - right); };
    for (var k = 0; k <= y.count; k++) {
      svg("line", {x1: x(k * y.step), x2: x(k * y.step), y1: 4, y2: height - 24,
                   "class": "grid"}, root);
      svg("text", {x: x(k * y.step), y: height - 8, "class": "tick", "text-anchor": "middle"},
          root).textContent = human(k * y.step);
    }
    rows.forEach(function (r, i) {
      var top = 8 + i * rowHeight, mid = top + 9;
      svg("text", {x: left - 8, y: mid + 4, "class": "label", "text-anchor": "end"}, root)
        .textContent = r.service;
      tip(svg("rect", {x: left, y: top, height: 18, width: Math.max(1, x(r.mttr_seconds || 0)
               - left), "class": "mark mean"}, root),
          r.service + ": MTTR " + human(r.mttr_seconds) + ", p50 " + human(r.p50_seconds) +
          ", p90 " + human(r.p90_seconds) + ", MTTD " + human(r.mttd_seconds) + ", MTTA " +
          human(r.mtta_seconds) + " (" + r.incidents + " resolved)");
      marks++;
      if (r.p90_seconds !== null) {
        svg("line", {x1: x(r.p90_seconds), x2: x(r.p90_seconds), y1: top - 2, y2: top + 20,
                     "class": "mark whisker"}, root);
        marks++;
      }
      svg("text", {x: W - right + 8, y: mid + 4, "class": "label"}, root).textContent =
        human(r.mttr_seconds) + "  (p90 " + human(r.p90_seconds) + ", " + r.incidents + ")";
    });
    return marks;
  }

  function drawPerWeek(plot, data) {
    var series = Object.keys(data.per_week).map(function (severity) {
      return {name: severity, cls: severity, values: data.per_week[severity]};
    });
    return bars(plot, data.weeks.map(day), series, "count", function (s, i, v) {
      return "week of " + data.weeks[i] + ": " + v + " " + s.name;
    });
  }

  function drawDetection(plot, data) {
    return lines(plot, data.weeks, [
      {name: "MTTD (mean time to detect)", cls: "mttd", values: data.detection.mttd_seconds},
      {name: "MTTA (mean time to acknowledge)", cls: "mtta", values: data.detection.mtta_seconds}
    ], 220);
  }

  function drawChangeFailure(plot, data) {
    var rows = data.change_failure;
    var series = [{name: "change failure rate", cls: "cfr", values: rows.map(function (r) {
      return r.change_failure_rate;
    })}];
    var marks = bars(plot, rows.map(function (r) { return month(r.month); }), series, "percent",
                     function (s, i) {
                       var r = rows[i];
                       return month(r.month) + ": " + r.failed_deployments + " of " +
                         r.deployments + " deploys caused an incident (" +
                         percent(r.change_failure_rate) + ")";
                     });
    return marks;
  }

  function drawOpen(plot, data) {
    var rows = data.open_incidents, marks = 0;
    var oldest = Math.max.apply(null, rows.map(function (r) { return r.age_seconds; }));
    var table = html("table", null, null, plot);
    var head = html("tr", null, null, html("thead", null, null, table));
    ["Severity", "Service", "Env", "Title", "Started (UTC)", "Age", ""].forEach(function (h) {
      html("th", null, h, head);
    });
    var body = html("tbody", null, null, table);
    rows.forEach(function (r) {
      var tr = html("tr", null, null, body);
      html("span", "badge " + r.severity, r.severity, html("td", null, null, tr));
      html("td", null, r.service, tr);
      html("td", null, r.environment, tr);
      html("td", null, r.title, tr);
      html("td", "when", r.started_at.slice(0, 16).replace("T", " "), tr);
      html("td", "age", human(r.age_seconds), tr);
      var bar = svg("svg", {viewBox: "0 0 160 12"}, html("td", "bar", null, tr));
      tip(svg("rect", {x: 0, y: 1, height: 10, "class": "mark age",
                       width: Math.max(1, 160 * r.age_seconds / (oldest || 1))}, bar),
          r.incident_id + ": open for " + human(r.age_seconds));
      marks++;
    });
    if (data.open_total > rows.length) {
      html("p", "note", "Showing the " + rows.length + " oldest of " + data.open_total + ".",
           plot);
    }
    return marks;
  }

  var DRAW = {
    "trend": drawTrend, "by-service": drawByService, "per-week": drawPerWeek,
    "detection": drawDetection, "change-failure": drawChangeFailure, "open": drawOpen
  };

  function fail(where, error) {
    var text = where + ": " + (error && error.message ? error.message : String(error));
    document.body.setAttribute("data-error", text);
    return text;
  }

  window.addEventListener("error", function (event) { fail("script", event.error || event); });

  function main() {
    var data;
    try {
      data = JSON.parse(document.getElementById("report-data").textContent);
    } catch (error) {
      fail("data", error);
      return;
    }
    var sections = document.querySelectorAll("section[data-chart]");
    Array.prototype.forEach.call(sections, function (section) {
      if (section.getAttribute("data-empty") === "true") { return; }
      var name = section.getAttribute("data-chart");
      var plot = section.querySelector(".plot");
      try {
        var marks = DRAW[name](plot, data);
        section.setAttribute("data-drawn", "true");
        section.setAttribute("data-marks", String(marks));
      } catch (error) {
        section.setAttribute("data-error", fail(name, error));
        html("p", "empty", "This chart could not be drawn.", plot);
      }
    });
    document.body.setAttribute("data-rendered", "true");
  }

  main();
})();
