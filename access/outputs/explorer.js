/* The what-if explorer (access.outputs.explorer): the reader's choices in, the library's figures out.
 *
 * Data: #x-data (JSON: counters, hours, presets, rules, styles, geometry) and #x-blob (base64 of the
 * deflated typed arrays named in D.sections).  Every rule here is the library's, with its constants
 * taken from D.rules; tests/test_explorer.py checks the figures against the library in Chromium.
 * Data never reaches innerHTML: every name is set as text.
 */
(function () {
  "use strict";

  var D = JSON.parse(document.getElementById("x-data").textContent);
  var RULES = D.rules, N = D.origins, C = D.counters.length, MODES = Object.keys(D.modes);
  var TYPES = {u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, f64: Float64Array};
  var PRESETS = {};
  D.presets.forEach(function (p) { PRESETS[p.key] = p; });
  var W = null, LSOA = null, WARD = null, LISTS = {};
  var NONE = 0xFFFF;
  var state = {mode: MODES[0], preset: null, hours: new Int32Array(C), moment: null, reference: null,
               view: "time"};
  var cache = {}, last = null, layers = {lsoas: [], counters: []}, map = null;

  function el(id) { return document.getElementById(id); }

  // ------------------------------------------------------------------ decoding

  function bytesOf(text) {
    var binary = atob(text.replace(/\s+/g, "")), out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { out[i] = binary.charCodeAt(i); }
    return out;
  }

  function inflate(raw) {
    var stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer();
  }

  function section(buffer, name) {
    var s = D.sections[name];
    return new TYPES[s[2]](buffer, s[0], s[1]);
  }

  function decodeMode(buffer, mode) {
    var info = D.modes[mode], counts = section(buffer, mode + ".count"), rows = section(buffer, mode + ".rows");
    var start = new Uint32Array(N + 1), o, j;
    for (o = 0; o < N; o++) { start[o + 1] = start[o] + counts[o]; }
    var planes = [];
    for (var b = 0; b < info.width; b++) { planes.push(section(buffer, mode + ".times" + b)); }
    var q = info.width === 2 ? new Uint16Array(rows.length) : new Uint32Array(rows.length);
    var p0 = planes[0], p1 = planes[1], p2 = planes[2], p3 = planes[3], wide = info.width === 4;
    for (o = 0; o < N; o++) {
      var acc = 0;
      for (j = start[o]; j < start[o + 1]; j++) {
        var d = p0[j] + p1[j] * 256;
        if (wide) { d += p2[j] * 65536 + p3[j] * 16777216; }
        acc = j === start[o] ? d : acc + d;
        q[j] = acc;
      }
    }
    var list = {start: start, rows: rows, q: q, top: wide ? 4294967295 : 65535, resolution: info.resolution,
                complete: info.complete, excluded: section(buffer, mode + ".excluded")};
    if (!info.complete) {  // per group × counter: least whole minutes, and how many more the most are
      var planes16 = function (name) {
        var a = section(buffer, mode + "." + name + "0"), b2 = section(buffer, mode + "." + name + "1");
        var out = new Uint16Array(a.length);
        for (var i = 0; i < a.length; i++) { out[i] = a[i] + b2[i] * 256; }
        return out;
      };
      list.low = planes16("low");
      list.spread = planes16("spread");
    }
    if (D.ranked) {
      list.sweepMean = section(buffer, mode + ".sweep_mean");
      list.sweepRank = section(buffer, mode + ".sweep_rank");
      if (D.ranked.real_counters < C) {  // the real counters' sets, ranked among themselves
        list.realMean = section(buffer, mode + ".real_mean");
        list.realRank = section(buffer, mode + ".real_rank");
      }
    }
    return list;
  }

  // ------------------------------------------------------------------ the library's rules

  // access.inputs.hours: with no moment, available when open at some minute of the week; at a moment,
  // 'off' is closed, 'open' and 'unknown' are open, a timetable is looked up to the minute.
  function openAt(hours, moment) {
    if (moment === null) { return hours.any; }
    if (hours.status === "off") { return false; }
    if (hours.always) { return true; }
    for (var i = 0; i < hours.intervals.length; i++) {
      if (hours.intervals[i][0] <= moment && moment < hours.intervals[i][1]) { return true; }
    }
    return false;
  }

  function availability(hours, moment) {
    var open = new Uint8Array(C);
    for (var c = 0; c < C; c++) { open[c] = openAt(D.hours[hours[c]], moment) ? 1 : 0; }
    return open;
  }

  // Where lists keep only each origin's nearest counters: per group of origins (LSOA), the least and the
  // most minutes (whole minutes) to the nearest open counter over the group's origins.
  function groupBounds(L, open) {
    var G = D.lsoas.length + 1, low = new Float64Array(G), high = new Float64Array(G), none = 0xFFFF;
    for (var g = 0; g < G; g++) {
      var lo = Infinity, hi = Infinity, base = g * C;
      for (var c = 0; c < C; c++) {
        if (!open[c] || L.low[base + c] === none) { continue; }
        if (L.low[base + c] < lo) { lo = L.low[base + c]; }
        if (L.spread[base + c] !== none && L.low[base + c] + L.spread[base + c] < hi) {
          hi = L.low[base + c] + L.spread[base + c];
        }
      }
      low[g] = lo;
      high[g] = hi;
    }
    return {low: low, high: high};
  }

  // access.analysis.figures.nearest_open: each origin's first available counter in its list (sorted by
  // time, ties by row); excluded origins NaN; none available: unreachable (Infinity).  Where a list
  // keeps only the nearest counters and none of them is open while others are, the origin's time is
  // known only between bounds: at least its farthest kept counter's and its LSOA's least time to an
  // open counter, at most its LSOA's most; t holds the lower bound, high (when any) the upper, and the
  // origin's residents are counted as approximate.
  function nearest(mode, open) {
    var L = LISTS[mode], t = new Float64Array(N), q = new Float64Array(N);
    var anyOpen = false, approx = 0, bounds = null, upper = [];
    for (var c = 0; c < C; c++) { if (open[c]) { anyOpen = true; } }
    for (var o = 0; o < N; o++) {
      if (L.excluded[o]) { t[o] = NaN; q[o] = NaN; continue; }
      var j = L.start[o], end = L.start[o + 1];
      while (j < end && !open[L.rows[j]]) { j++; }
      var value;
      if (j < end) {
        value = L.q[j];
      } else if (anyOpen && !L.complete && L.q[end - 1] !== L.top) {
        if (!bounds) { bounds = groupBounds(L, open); }
        var g = LSOA[o] === NONE ? D.lsoas.length : LSOA[o];
        value = Math.max(L.q[end - 1], bounds.low[g] * L.resolution);  // (whole minutes in quanta)
        if (value === Infinity) { value = L.top; }
        upper.push(o, bounds.high[g]);
        approx += W[o];
      } else {
        value = L.top;
      }
      if (value === L.top) { t[o] = Infinity; q[o] = Infinity; } else { t[o] = value / L.resolution; q[o] = value; }
    }
    var high = null;
    if (upper.length) {
      high = {t: t.slice(), q: q.slice()};
      for (var i = 0; i < upper.length; i += 2) {
        high.t[upper[i]] = upper[i + 1];
        high.q[upper[i]] = upper[i + 1] * L.resolution;
      }
    }
    return {t: t, q: q, approximate: approx, high: high};
  }

  // access.analysis.figures.group_figures for everyone: excluded (NaN) counted nowhere; unreachable
  // (Infinity) in the shares' population only; the weighted quantile is the smallest time at which the
  // cumulative weight reaches q of the total, less QUANTILE_TOLERANCE of it.
  // t: minutes per origin; q: the same as whole quanta (for the sort); weights: residents per origin.
  function figures(t, q, weights) {
    var size = t.length, thresholds = RULES.thresholds, within = thresholds.map(function () { return 0; });
    var population = 0, unreachable = 0, excluded = 0, sum = 0, keys = new Float64Array(size), n = 0;
    for (var o = 0; o < size; o++) {
      var v = t[o], w = weights[o];
      if (v !== v) { excluded += w; continue; }
      if (v === Infinity) { unreachable += w; continue; }
      population += w;
      sum += v * w;
      for (var k = 0; k < thresholds.length; k++) { if (v <= thresholds[k]) { within[k] += w; } }
      keys[n++] = q[o] * size + o;  // by time, then by origin: one numeric sort, exact below 2^53
    }
    var sorted = keys.subarray(0, n).sort(), cumulative = new Float64Array(n), total = 0;
    for (var i = 0; i < n; i++) { total += weights[sorted[i] % size]; cumulative[i] = total; }
    function quantile(share) {
      if (n === 0) { return NaN; }
      var threshold = share * total - RULES.quantile_tolerance * total, lo = 0, hi = n;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (cumulative[mid] < threshold) { lo = mid + 1; } else { hi = mid; } }
      return t[sorted[Math.min(lo, n - 1)] % size];
    }
    var measured = population + unreachable, out = {
      population: population, unreachable: unreachable, excluded: excluded,
      mean_min: population > 0 ? sum / population : NaN
    };
    Object.keys(RULES.quantiles).forEach(function (key) { out[key] = quantile(RULES.quantiles[key]); });
    thresholds.forEach(function (T, k) { out["within_" + T] = measured > 0 ? within[k] / measured : NaN; });
    return out;
  }

  // group_figures' mean per group (LSOA, ward): residents with a time only.
  function groupMeans(t, groups, size, weights) {
    var sums = new Float64Array(size), counted = new Float64Array(size), out = new Float64Array(size);
    for (var o = 0; o < t.length; o++) {
      var g = groups[o], v = t[o];
      if (g === NONE || !(v < Infinity)) { continue; }  // no group, excluded (NaN) or unreachable
      sums[g] += v * weights[o];
      counted[g] += weights[o];
    }
    for (var i = 0; i < size; i++) { out[i] = counted[i] > 0 ? sums[i] / counted[i] : NaN; }
    return out;
  }

  // change_figures: worse and better off when the time rose or fell by more than CHANGE_TOLERANCE_MIN.
  function movers(now, reference, weights) {
    var worse = 0, better = 0, tolerance = RULES.change_tolerance;
    for (var o = 0; o < now.length; o++) {
      var change = now[o] - reference[o];  // NaN where either is excluded, or both unreachable
      if (change > tolerance) { worse += weights[o]; } else if (change < -tolerance) { better += weights[o]; }
    }
    return {worse: worse, better: better};
  }

  // access.core.tripcosts.DriveCosts.traffic and .at: at a moment, a drive keeps its overhead (starting,
  // parking) and moves at the hour's share of the free-flowing speed (the weekday or the weekend profile).
  // The same for every trip, so the order of the times, and each origin's nearest counter, stay.
  function trafficAt(mode, moment) {
    var traffic = D.modes[mode].traffic;
    if (!traffic || moment === null) { return 1; }
    var hour = Math.floor((moment % 1440) / 60);
    return (Math.floor(moment / 1440) >= 5 ? traffic.weekend : traffic.weekday)[hour];
  }

  function retime(t, overhead, share) {
    for (var o = 0; o < t.length; o++) {
      var v = t[o];
      if (v === v && v !== Infinity) { t[o] = overhead + Math.max(v - overhead, 0) / share; }
    }
  }

  function evaluate(mode, hours, moment) {
    var open = availability(hours, moment), ev = nearest(mode, open), share = trafficAt(mode, moment);
    if (share !== 1) {
      retime(ev.t, D.modes[mode].traffic.overhead_min, share);
      if (ev.high) { retime(ev.high.t, D.modes[mode].traffic.overhead_min, share); }
    }
    ev.traffic = share;
    ev.open = open;
    ev.figures = figures(ev.t, ev.q, W);
    ev.figures.approximate = ev.approximate;
    ev.figuresHigh = ev.high ? figures(ev.high.t, ev.high.q, W) : ev.figures;
    ev.lsoas = groupMeans(ev.t, LSOA, D.lsoas.length, W);
    ev.wards = groupMeans(ev.t, WARD, D.wards.length, W);
    return ev;
  }

  function referenceMoment() {
    var p = PRESETS[state.reference];
    return state.moment !== null ? state.moment : (p.at === null ? null : p.at);
  }

  function referenceEvaluation() {
    var moment = referenceMoment(), key = state.mode + "|" + state.reference + "|" + moment;
    if (!cache[key]) { cache[key] = evaluate(state.mode, PRESETS[state.reference].hours, moment); }
    return cache[key];
  }

  function binomial(n, k) {
    var r = 1;
    for (var i = 1; i <= k; i++) { r = r * (n - k + i) / i; }
    return Math.round(r);
  }

  // Where the set of open counters ranks among every set of its size by mean minutes (access.sweep).  A set of
  // real counters only is ranked among sets of real counters only; a set with a hypothetical site among every
  // set, hypothetical sites included (among: "real" or "all").
  function rank(mode, open) {
    if (!D.ranked) { return null; }
    var L = LISTS[mode], mask = 0, k = 0, own = D.ranked.real_counters, hypothetical = false;
    for (var c = 0; c < C; c++) {
      if (open[c]) { mask += Math.pow(2, c); k++; if (c >= own) { hypothetical = true; } }
    }
    var real = !hypothetical && own < C, n = real ? own : C;
    var best = (real ? D.ranked.best_real : D.ranked.best)[mode][String(k)];
    return {rank: (real ? L.realRank : L.sweepRank)[mask], of: binomial(n, k), k: k, counters: n,
            among: hypothetical || own === C ? "all" : "real", hypothetical: own < C,
            mean_min: (real ? L.realMean : L.sweepMean)[mask],
            best_mean_min: best ? best.mean : null, best_subset: best ? best.subset : []};
  }

  // ------------------------------------------------------------------ words and numbers

  function fixed(value, decimals, sign) {
    if (!isFinite(value)) { return "n/a"; }
    var text = value.toFixed(decimals);
    if (Number(text) === 0) { return (sign ? "±" : "") + (0).toFixed(decimals); }
    return (sign && value > 0 ? "+" : "") + text;
  }
  function minutes(v, sign) { return fixed(v, 1, sign); }
  function percent(v) { return isFinite(v) ? fixed(v * 100, 0, false) + "%" : "n/a"; }
  function points(v) { return isFinite(v) ? fixed(v * 100, 0, true) + " pts" : "n/a"; }
  function people(v) { return isFinite(v) ? Math.round(v).toLocaleString("en-GB") : "n/a"; }
  function title(key) { return PRESETS[key].title; }
  function dayTime(moment) {
    var names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], m = moment % 1440;
    return names[Math.floor(moment / 1440)] + " " + String(Math.floor(m / 60)).padStart(2, "0") + ":" +
      String(m % 60).padStart(2, "0");
  }
  function classOf(value, edges) {  // access.outputs.styles.class_index: upper edges inclusive
    if (!isFinite(value)) { return -1; }
    var i = 0;
    while (i < edges.length && edges[i] < value) { i++; }
    return i;
  }
  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) { node.className = className; }
    return node;
  }

  // ------------------------------------------------------------------ drawing

  function colour(value, view) {
    var s = D.styles, i = view === "time" ? classOf(value, s.time_bins) : classOf(value, s.change_bins);
    if (i < 0) { return s.no_data; }
    return view === "time" ? s.time_colours[i] : s.change_colours[i];
  }

  function drawLegend() {
    var s = D.styles, box = el("x-legend"), view = state.view;
    box.textContent = "";
    box.appendChild(text("h3", view === "time" ? "Minutes now, " + D.modes[state.mode].label
      : "Minutes longer than " + title(state.reference) + ", " + D.modes[state.mode].label));
    var colours = view === "time" ? s.time_colours : s.change_colours;
    var labels = view === "time" ? s.time_labels : s.change_labels;
    colours.concat([s.no_data]).forEach(function (c, i) {
      var row = text("div", "", "x-row"), swatch = text("span", "", "x-swatch");
      swatch.style.background = c;
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(i < labels.length ? labels[i] : "no data"));
      box.appendChild(row);
    });
  }

  function lsoaTip(i) {
    var lsoa = D.lsoas[i], box = document.createElement("div"), now = last.now.lsoas[i], ref = last.ref.lsoas[i];
    box.appendChild(text("b", lsoa.name));
    box.appendChild(document.createTextNode(" (" + D.area_kind + " " + lsoa.code + ")"));
    if (lsoa.ward) { box.appendChild(text("div", "Ward: " + lsoa.ward)); }
    box.appendChild(text("div", "Now: " + minutes(now) + " min"));
    box.appendChild(text("div", "Reference: " + minutes(ref) + " min"));
    box.appendChild(text("div", "Change: " + minutes(now - ref, true) + " min"));
    return box;
  }

  function counterTip(c) {
    var counter = D.counters[c], box = document.createElement("div");
    box.appendChild(text("b", counter.name));
    box.appendChild(text("div", counter.address));
    var hours = D.hours[state.hours[c]], open = last ? last.now.open[c] : 0;
    box.appendChild(text("div", hours.status === "off" ? "Switched off" :
      (open ? (hours.assumed ? "Open only by assumption (hours not known)" : "Open") : "Closed at this moment") +
      " · hours: " + hours.text));
    box.appendChild(text("div", "Click to switch it " + (hours.status === "off" ? "on" : "off"), "x-hint"));
    return box;
  }

  function drawMap() {
    var ref = last.ref.lsoas, now = last.now.lsoas;
    layers.lsoas.forEach(function (layer, i) {
      var value = state.view === "time" ? now[i] : now[i] - ref[i];
      layer.setStyle({fillColor: colour(value, state.view)});
    });
    layers.counters.forEach(function (marker, c) {
      var hours = D.hours[state.hours[c]], on = hours.status !== "off", open = last.now.open[c];
      var style = D.styles.counters[open ? (hours.assumed ? "assumed" : "open") : on ? "closed_now" : "off"];
      marker.setStyle({fillColor: style.fill, color: style.line,
                       dashArray: D.counters[c].hypothetical ? "3 3" : null});
    });
  }

  function setCell(row, column, value) { row.querySelector(column).textContent = value; }

  // A figure, or, where some residents' times are only known between bounds, the range that holds it.
  function range(values, format) {
    var finite = values.filter(function (v) { return isFinite(v); });
    if (finite.length < values.length) { return format(NaN); }
    var lo = format(Math.min.apply(null, finite)), hi = format(Math.max.apply(null, finite));
    return lo === hi ? lo : lo + " to " + hi;
  }

  // How a drive was timed: in free-flowing traffic at "any time", else in the traffic of the moment's hour.
  function trafficWords(ev, moment) {
    if (!D.modes[state.mode].traffic) { return ""; }
    if (moment === null) { return " Driving in free-flowing traffic (pick a moment for its hour's traffic)."; }
    return " Driving in the traffic of " + dayTime(moment) + ": " + Math.round(ev.traffic * 100) +
      "% of the free-flowing speed, the " + minutes(D.modes[state.mode].traffic.overhead_min) +
      " min of starting and parking as always.";
  }

  function drawFigures() {
    var now = [last.now.figures, last.now.figuresHigh], ref = [last.ref.figures, last.ref.figuresHigh];
    var table = el("x-table");
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var key = row.getAttribute("data-figure"), share = key.indexOf("within_") === 0;
      var a = now.map(function (f) { return f[key]; }), b = ref.map(function (f) { return f[key]; });
      var change = [a[0] - b[0], a[0] - b[1], a[1] - b[0], a[1] - b[1]];
      setCell(row, ".x-now", range(a, share ? percent : minutes));
      setCell(row, ".x-ref", range(b, share ? percent : minutes));
      setCell(row, ".x-change", range(change, share ? points : function (v) { return minutes(v, true); }));
    });
    now = now[0];
    ref = ref[0];
    var summary = el("x-summary"), high = last.now.figuresHigh;
    summary.textContent = "";
    [["Mean ", range([now.mean_min, high.mean_min], minutes) + " min",
      " (" + range([now.mean_min - ref.mean_min, high.mean_min - last.ref.figuresHigh.mean_min,
                    now.mean_min - last.ref.figuresHigh.mean_min, high.mean_min - ref.mean_min],
                   function (v) { return minutes(v, true); }) + ")"],
     [" · within 30 min ", range([now.within_30, high.within_30], percent), ""],
     [" · worse off ", people(last.movers.worse), ""]].forEach(function (part) {
      summary.appendChild(document.createTextNode(part[0]));
      summary.appendChild(text("b", part[1]));
      summary.appendChild(document.createTextNode(part[2]));
    });
    var edited = edits(), moment = state.moment === null ? "any time" : dayTime(state.moment);
    var refMoment = referenceMoment();
    el("x-title-now").textContent = "Now: " + title(state.preset) + (edited ? " + " + edited + " change" +
      (edited > 1 ? "s" : "") : "") + " · " + moment;
    el("x-caption").textContent = "Population-weighted minutes to the nearest open counter, " +
      D.modes[state.mode].label + " (" + D.modes[state.mode].model + "). Reference: " + title(state.reference) +
      " · " + (refMoment === null ? "any time" : dayTime(refMoment)) + "." + trafficWords(last.now, state.moment);
    el("x-worse").textContent = people(last.movers.worse) + " residents worse off,";
    el("x-better").textContent = people(last.movers.better) + " better off, against the reference.";
    var open = 0, assumed = [];
    for (var c = 0; c < C; c++) {
      if (last.now.open[c]) { open++; if (D.hours[state.hours[c]].assumed) { assumed.push(D.counters[c].name); } }
    }
    el("x-open").textContent = open + " of " + C + " counters open now" + (assumed.length ? "; " +
      (assumed.length === open ? (open === 1 ? "it is" : "all are") + " open only by assumption (hours not " +
       "known), so these figures rest on that assumption: " : assumed.length + " only by assumption (hours not " +
       "known, drawn yellow): ") + assumed.join(", ") : "") + ".";
    el("x-open").classList.toggle("x-warn", assumed.length > 0 && assumed.length === open);
    var reach = [];
    if (now.unreachable > 0) { reach.push(people(now.unreachable) + " residents have no open counter in reach"); }
    if (now.excluded > 0) { reach.push(people(now.excluded) + " live too far from the network to be measured"); }
    el("x-reach").textContent = reach.length ? reach.join("; ") + "." : "";
    var approx = now.approximate + ref.approximate;
    el("x-approx").hidden = approx === 0;
    el("x-approx").textContent = approx ? "Approximate: " + people(now.approximate) + " residents now and " +
      people(ref.approximate) + " in the reference have none of their kept counters open, so their time is " +
      "known only between bounds (their " + D.area_kind + "'s least and most); the figures are shown as the " +
      "ranges that hold them, and the map and the residents worse or better off use the lower bound." : "";
    var r = last.rank;
    if (r) {
      var among = !r.hypothetical ? "every set of the study's " + r.counters + " counters" :
        r.among === "real" ? "every set of the study's " + r.counters + " real counters; hypothetical sites are " +
          "ranked separately, when one is on" :
        "every set of the study's " + r.counters + " counters, hypothetical sites included";
      el("x-rank").textContent = r.k === 0 ? "No counter open: nothing to rank." :
        "Rank " + r.rank + " of " + r.of.toLocaleString("en-GB") + " sets of " + r.k + " counter" +
        (r.k > 1 ? "s" : "") + " by mean minutes" + (D.modes[state.mode].traffic ? " in free-flowing traffic" : "") +
        " (1 = best; " + among + "). Best of that size: " +
        r.best_subset.join(" + ") + ", " + minutes(r.best_mean_min) + " min.";
    }
  }

  function drawCounters() {
    for (var c = 0; c < C; c++) {
      var hours = D.hours[state.hours[c]], on = hours.status !== "off", box = el("x-c" + c);
      box.checked = on;
      box.setAttribute("aria-checked", on ? "true" : "false");
      el("x-h" + c).textContent = on ? hours.text + (last.now.open[c] ? "" : " · closed now") : "off";
      box.parentNode.classList.toggle("x-closed", on && !last.now.open[c]);
    }
  }

  function edits() {
    var base = PRESETS[state.preset].hours, n = 0;
    for (var c = 0; c < C; c++) { if (base[c] !== state.hours[c]) { n++; } }
    return n;
  }

  function update() {
    var started = performance.now();
    var now = evaluate(state.mode, state.hours, state.moment), ref = referenceEvaluation();
    last = {now: now, ref: ref, movers: movers(now.t, ref.t, W), rank: rank(state.mode, now.open)};
    drawFigures();
    drawCounters();
    drawMap();
    drawLegend();
    last.ms = performance.now() - started;
    el("x-status").hidden = true;
    el("x-caption").appendChild(document.createTextNode(" Updated in " + Math.max(1, Math.round(last.ms)) +
                                                        " ms."));
    return last;
  }

  // ------------------------------------------------------------------ choices

  function choosePreset(key) {
    var p = PRESETS[key];
    state.preset = key;
    note("x-preset-note", p);
    state.hours = Int32Array.from(p.hours);
    if (p.at !== null) { setMoment(p.at); }
    el("x-preset").value = key;
  }

  // Beneath a list of choices, the chosen one in full: its label (the list shows its short form) and its description.
  function note(id, p) {
    var words = [p.kind === "period" && p.title.indexOf(":") > 0 ? p.title : "", p.description || ""].filter(Boolean);
    el(id).textContent = words.join(" — ");
    el(id).hidden = words.length === 0;
  }

  function setMoment(moment) {
    state.moment = moment;
    el("x-day").value = moment === null ? "" : String(Math.floor(moment / 1440));
    el("x-time").disabled = moment === null;
    if (moment !== null) { el("x-time").value = dayTime(moment).slice(4); }
  }

  function readMoment() {
    var day = el("x-day").value, time = el("x-time").value || "00:00";
    el("x-time").disabled = day === "";
    if (day === "") { return null; }
    var parts = time.split(":");
    return Number(day) * 1440 + Number(parts[0]) * 60 + Number(parts[1]);
  }

  function switchCounter(c, on) {
    var preset = PRESETS[state.preset].hours[c];
    state.hours[c] = !on ? D.off : D.hours[preset].status !== "off" ? preset : D.counters[c].on;
  }

  // ------------------------------------------------------------------ the map

  function buildMap() {
    map = L.map("x-map", {preferCanvas: true, zoomSnap: 0.25, zoomControl: true, attributionControl: true});
    map.attributionControl.setPrefix(false);
    var credit = document.createElement("span");
    credit.textContent = D.short_attribution;  // Leaflet takes HTML: pass the text escaped
    map.attributionControl.addAttribution(credit.innerHTML);
    L.control.scale({position: "bottomleft"}).addTo(map);
    map.createPane("x-areas").style.zIndex = 410;
    map.createPane("x-lines").style.zIndex = 450;
    map.createPane("x-points").style.zIndex = 620;
    var areas = L.canvas({pane: "x-areas"}), lines = L.svg({pane: "x-lines"}), points = L.svg({pane: "x-points"});
    D.lsoas.forEach(function (lsoa, i) {
      if (!lsoa.geometry) { layers.lsoas.push({setStyle: function () {}}); return; }
      var layer = L.geoJSON(lsoa.geometry, {renderer: areas, pane: "x-areas",
        style: {fillColor: D.styles.no_data, fillOpacity: 0.75, color: "#525252", weight: 0.5, opacity: 0.8}});
      layer.bindTooltip(function () { return lsoaTip(i); }, {sticky: true});
      layer.addTo(map);
      layers.lsoas.push(layer);
    });
    if (D.boroughs) {
      D.boroughs.forEach(function (g) {
        if (g) { L.geoJSON(g, {renderer: lines, pane: "x-lines", interactive: false,
          style: {color: "#636363", weight: 1, fill: false, opacity: 0.8}}).addTo(map); }
      });
    }
    var outline = L.geoJSON(D.boundary, {renderer: lines, pane: "x-lines", interactive: false,
      style: {color: "#000000", weight: 2.5, fill: false, dashArray: "8 4", opacity: 0.9}}).addTo(map);
    D.counters.forEach(function (counter, c) {
      var marker = L.circleMarker([counter.lat, counter.lon], {renderer: points, pane: "x-points", radius: 7,
        weight: 3, fillOpacity: 0.95});
      marker.bindTooltip(function () { return counterTip(c); });
      marker.on("click", function () {
        switchCounter(c, D.hours[state.hours[c]].status === "off");
        update();
        marker.setTooltipContent(counterTip(c));
      });
      marker.addTo(map);
      layers.counters.push(marker);
    });
    // The study area and every counter, neighbouring ones too, on a phone as on a laptop: a counter cut at the
    // edge of the map could not be clicked.
    var bounds = outline.getBounds();
    D.counters.forEach(function (counter) { bounds.extend([counter.lat, counter.lon]); });
    map.fitBounds(bounds, {paddingTopLeft: [48, 14], paddingBottomRight: [14, 22], animate: false});  // (zoom, credit)
    window.addEventListener("resize", function () { map.invalidateSize({animate: false}); });
  }

  // ------------------------------------------------------------------ wiring

  function wire() {
    el("x-mode").addEventListener("change", function (e) { state.mode = e.target.value; showModel(); update(); });
    el("x-preset").addEventListener("change", function (e) { choosePreset(e.target.value); update(); });
    el("x-reference").addEventListener("change", function (e) {
      state.reference = e.target.value;
      note("x-reference-note", PRESETS[state.reference]);
      update();
    });
    el("x-day").addEventListener("change", function () { state.moment = readMoment(); update(); });
    el("x-time").addEventListener("change", function () { state.moment = readMoment(); update(); });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=x-view]"), function (radio) {
      radio.addEventListener("change", function (e) { state.view = e.target.value; drawMap(); drawLegend(); });
    });
    el("x-list").addEventListener("change", function (e) {
      var row = e.target.getAttribute("data-row");
      if (row !== null) { switchCounter(Number(row), e.target.checked); update(); }
    });
    el("x-all-on").addEventListener("click", function () {
      for (var c = 0; c < C; c++) { switchCounter(c, true); }
      update();
    });
    el("x-all-off").addEventListener("click", function () {
      for (var c = 0; c < C; c++) { switchCounter(c, false); }
      update();
    });
    el("x-reset").addEventListener("click", function () { choosePreset(state.preset); update(); });
  }

  function showModel() {
    Array.prototype.forEach.call(document.querySelectorAll(".x-banner"), function (banner) {
      banner.hidden = banner.getAttribute("data-mode") !== state.mode;
    });
  }

  // ------------------------------------------------------------------ the entry point (tests, benchmarks)

  function clean(value) {
    if (typeof value === "number") { return isFinite(value) ? value : null; }
    if (Array.isArray(value) || ArrayBuffer.isView(value)) { return Array.prototype.map.call(value, clean); }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = clean(value[k]); });
      return out;
    }
    return value;
  }

  function read(options) {
    options = options || {};
    var out = {
      mode: state.mode, preset: state.preset, moment: state.moment, reference: state.reference,
      reference_moment: referenceMoment(), view: state.view,
      counters: D.counters.map(function (counter, c) {
        var hours = D.hours[state.hours[c]];
        return {id: counter.id, on: hours.status !== "off", hours: hours.text, available: !!last.now.open[c]};
      }),
      now: last.now.figures, reference_figures: last.ref.figures,
      now_high: last.now.figuresHigh, reference_high: last.ref.figuresHigh,
      traffic: last.now.traffic, reference_traffic: last.ref.traffic,
      worse: last.movers.worse, better: last.movers.better, rank: last.rank, ms: last.ms
    };
    if (options.areas) {
      out.lsoas = {};
      D.lsoas.forEach(function (lsoa, i) { out.lsoas[lsoa.code] = [last.now.lsoas[i], last.ref.lsoas[i]]; });
      out.wards = {};
      D.wards.forEach(function (ward, i) { out.wards[ward] = [last.now.wards[i], last.ref.wards[i]]; });
    }
    return clean(out);
  }

  // set({mode, preset, reference, moment (minute of the week or null), on: {id: true|false}, view}),
  // in that order, as a reader would; returns read().
  function set(changes, options) {
    if (changes.mode !== undefined) { state.mode = changes.mode; el("x-mode").value = changes.mode; showModel(); }
    if (changes.preset !== undefined) { choosePreset(changes.preset); }
    if (changes.reference !== undefined) {
      state.reference = changes.reference;
      el("x-reference").value = changes.reference;
      note("x-reference-note", PRESETS[state.reference]);
    }
    if (changes.moment !== undefined) { setMoment(changes.moment); }
    if (changes.on) {
      D.counters.forEach(function (counter, c) {
        if (changes.on[counter.id] !== undefined) { switchCounter(c, !!changes.on[counter.id]); }
      });
    }
    if (changes.view !== undefined) {
      state.view = changes.view;
      document.querySelector("input[name=x-view][value=" + changes.view + "]").checked = true;
    }
    update();
    return read(options);
  }

  // Each hours entry's availability at every minute of the week, as a string of 0 and 1 (for the tests).
  function week(index) {
    var hours = D.hours[index], out = new Array(RULES.minutes_per_week);
    for (var m = 0; m < out.length; m++) { out[m] = openAt(hours, m) ? "1" : "0"; }
    return out.join("");
  }

  // The rules on arrays given by a test: times (NaN excluded, Infinity unreachable) in whole quanta of 1/resolution.
  var rules = {
    figures: function (quanta, resolution, weights) {
      var t = Float64Array.from(quanta, function (v) { return v / resolution; });
      return clean(figures(t, Float64Array.from(quanta), Float64Array.from(weights)));
    },
    movers: function (now, reference, weights) {
      return movers(Float64Array.from(now), Float64Array.from(reference), Float64Array.from(weights));
    },
    means: function (t, groups, size, weights) {
      return clean(groupMeans(Float64Array.from(t), Uint16Array.from(groups), size, Float64Array.from(weights)));
    }
  };

  var api = window.accessExplorer = {data: D, read: read, set: set, week: week, update: update, rules: rules,
                                     ready: null};

  function fail(message) {
    el("x-status").textContent = message;
    el("x-status").classList.add("x-error");
    throw new Error(message);
  }

  api.ready = Promise.resolve().then(function () {
    if (typeof DecompressionStream === "undefined") {
      fail("This page needs a browser from 2023 or later (it unpacks its data with DecompressionStream).");
    }
    return inflate(bytesOf(document.getElementById("x-blob").textContent));
  }).then(function (buffer) {
    W = section(buffer, "weight");
    LSOA = section(buffer, "lsoa");
    WARD = section(buffer, "ward");
    MODES.forEach(function (mode) { LISTS[mode] = decodeMode(buffer, mode); });
    state.reference = el("x-reference").value;
    note("x-reference-note", PRESETS[state.reference]);
    choosePreset(el("x-preset").value);
    buildMap();
    api.map = map;
    api.layers = layers;
    wire();
    showModel();
    update();
    document.body.classList.add("x-ready");
    return read();
  });
})();
