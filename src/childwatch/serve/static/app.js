// childwatch pages: small progressive enhancements only; every page works without them.
// Loaded from /static (the Content-Security-Policy allows no inline script).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // Graphic passages stay blurred until the reader asks to see them (per-user setting).
  document.querySelectorAll(".graphic-wrap.blurred").forEach(function (wrap) {
    var show = function () {
      wrap.classList.remove("blurred");
      var text = wrap.querySelector(".doc");
      if (text) { text.removeAttribute("aria-hidden"); text.setAttribute("tabindex", "0"); }
    };
    var button = wrap.querySelector(".reveal-graphic");
    if (button) { button.addEventListener("click", show); }
    wrap.addEventListener("click", function (event) {
      if (wrap.classList.contains("blurred")) { event.preventDefault(); show(); }
    });
  });

  // Long reports: scroll each text box to its first highlighted passage.
  document.querySelectorAll(".doc").forEach(function (box) {
    var first = box.querySelector("mark.hl");
    if (first && box.scrollHeight > box.clientHeight) {
      box.scrollTop = Math.max(0, first.offsetTop - box.offsetTop - 40);
    }
  });

  // Changing the sort order applies it at once (the button stays for keyboard users).
  var sort = document.getElementById("sort");
  if (sort && sort.form) {
    sort.addEventListener("change", function () { sort.form.submit(); });
  }

  // Pickers: type a few letters, choose with the arrow keys and Enter (or a click).
  document.querySelectorAll("input[data-picker]").forEach(setUpPicker);

  // The incident list: tick all on this page at once; the bulk bar says how many are ticked.
  var all = document.getElementById("select-all");
  var ticks = document.querySelectorAll("input.pick-incident");
  var counter = document.getElementById("bulk-count");
  var recount = function () {
    var n = document.querySelectorAll("input.pick-incident:checked").length;
    if (counter) { counter.textContent = n + " chosen"; }
    if (all) { all.checked = n > 0 && n === ticks.length; all.indeterminate = n > 0 && n < ticks.length; }
  };
  if (all) {
    all.addEventListener("change", function () {
      ticks.forEach(function (t) { t.checked = all.checked; });
      recount();
    });
  }
  ticks.forEach(function (t) { t.addEventListener("change", recount); });
  if (ticks.length) { recount(); }
});

var PICKERS = {
  places: function (input, q) {
    return "/api/places?limit=10&q=" + encodeURIComponent(q) +
      "&country=" + encodeURIComponent(input.getAttribute("data-country") || "");
  },
  incidents: function (input, q) {
    var exclude = input.getAttribute("data-exclude") || "";
    var violation = input.getAttribute("data-violation") || "";
    return "/api/pick/incidents?limit=10&q=" + encodeURIComponent(q) + "&exclude=" + encodeURIComponent(exclude) +
      "&violation=" + encodeURIComponent(violation);
  }
};

// A name that may be Arabic, isolated (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE) so
// that it reads in its own direction inside an English line of text.
function isolated(text) { return "\u2068" + text + "\u2069"; }

function incidentLabel(r) {
  var place = [r.location_name, r.location_admin1, r.location_country].filter(Boolean).join(", ");
  var where = place ? isolated(place) : "place unknown";
  var when = r.date_start ? (r.date_end && r.date_end !== r.date_start ? r.date_start + " to " + r.date_end : r.date_start) : "date unknown";
  return r.id + " · " + r.violation.replace(/_/g, " ") + " · " + where + " · " + when + " · " +
    (r.perpetrator ? isolated(r.perpetrator) : "perpetrator not named") + " · " + r.n_documents + " report" + (r.n_documents === 1 ? "" : "s");
}

function setUpPicker(input) {
  var kind = input.getAttribute("data-picker");
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var target = input.getAttribute("data-target") ? document.getElementById(input.getAttribute("data-target")) : null;
  if (!list || !PICKERS[kind]) { return; }
  var items = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  var close = function () {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  var mark = function (i) {
    var options = list.querySelectorAll("li");
    options.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
    active = i;
    if (i >= 0 && options[i]) {
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({block: "nearest"});
    }
  };
  var choose = function (i) {
    var item = items[i];
    if (!item) { return; }
    if (kind === "places") {
      input.value = item.label;
      if (target) { target.value = item.id; }
    } else {
      input.value = item.id;
    }
    input.setAttribute("data-chosen", input.value);
    close();
  };
  var show = function (found) {
    items = found;
    list.textContent = "";
    found.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      if (kind === "places") { li.dir = "auto"; }  // a place may be named in Arabic
      li.textContent = kind === "places" ? item.label : incidentLabel(item);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "nothing found";
      list.appendChild(none);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    mark(found.length ? 0 : -1);
  };
  var ask = function () {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    var mine = ++asked;
    fetch(PICKERS[kind](input, q), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (mine !== asked || !data) { return; }  // an older answer, or a refusal
        show(data.places || data.incidents || []);
      })
      .catch(function () { close(); });
  };

  input.addEventListener("input", function () {
    // Typing again drops a place chosen before: the server looks up what was typed.
    if (target) { target.value = target.defaultValue; }
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) {
      if (event.key === "ArrowDown" && input.value.trim().length >= 2) { event.preventDefault(); ask(); }
      return;
    }
    if (event.key === "ArrowDown") { event.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); mark(Math.max(active - 1, 0)); }
    else if (event.key === "Enter") { if (active >= 0) { event.preventDefault(); choose(active); } }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
    else if (event.key === "Tab") { if (active >= 0) { choose(active); } }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
}

// The dashboard's map: zoom (buttons, + and - keys, the mouse wheel) and pan (drag, arrow
// keys), all offline: the outlines are in the page, only the SVG's viewBox changes. Dots
// keep their size on screen, so that close places come apart as you zoom in.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("svg.worldmap").forEach(setUpMap);
});

function setUpMap(svg) {
  var start = svg.getAttribute("viewBox").split(/\s+/).map(Number);
  var view = start.slice();
  var dots = Array.prototype.slice.call(svg.querySelectorAll("circle.dot"));
  dots.forEach(function (d) { d.setAttribute("data-r", d.getAttribute("r")); });
  var MAX_ZOOM = 64;

  var clusters = mapClusters(svg, dots);
  var apply = function () {
    svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(1); }).join(" "));
    var zoom = start[2] / view[2];
    dots.forEach(function (d) { d.setAttribute("r", (Number(d.getAttribute("data-r")) / Math.sqrt(zoom)).toFixed(2)); });
    svg.setAttribute("data-zoom", zoom.toFixed(2));
    clusters.draw();
  };
  // Zoom by `factor` (> 1: in) around a point of the map (default: the centre).
  var zoomBy = function (factor, cx, cy) {
    var zoom = start[2] / view[2];
    factor = Math.max(1 / zoom, Math.min(MAX_ZOOM / zoom, factor));
    if (cx === undefined) { cx = view[0] + view[2] / 2; cy = view[1] + view[3] / 2; }
    view = [cx - (cx - view[0]) / factor, cy - (cy - view[1]) / factor, view[2] / factor, view[3] / factor];
    apply();
  };
  var panBy = function (fx, fy) {
    view[0] += fx * view[2];
    view[1] += fy * view[3];
    apply();
  };
  var reset = function () { view = start.slice(); apply(); };
  // From a pointer event to the map's own coordinates.
  var toMap = function (event) {
    var box = svg.getBoundingClientRect();
    var scale = Math.max(view[2] / box.width, view[3] / box.height);  // "meet": the larger one
    var ox = (box.width - view[2] / scale) / 2, oy = (box.height - view[3] / scale) / 2;
    return [view[0] + (event.clientX - box.left - ox) * scale, view[1] + (event.clientY - box.top - oy) * scale, scale];
  };

  var bar = document.createElement("div");
  bar.className = "map-controls";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "Map zoom");
  [["+", "Zoom in", function () { zoomBy(2); }], ["\u2212", "Zoom out", function () { zoomBy(0.5); }],
   ["Reset", "Show the whole map", reset]].forEach(function (b) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = b[0];
    button.setAttribute("aria-label", b[1]);
    button.title = b[1];
    button.addEventListener("click", b[2]);
    bar.appendChild(button);
  });
  svg.parentNode.insertBefore(bar, svg);

  svg.setAttribute("tabindex", "0");
  svg.addEventListener("keydown", function (event) {
    var moves = {ArrowLeft: [-0.2, 0], ArrowRight: [0.2, 0], ArrowUp: [0, -0.2], ArrowDown: [0, 0.2]};
    if (event.key === "+" || event.key === "=") { zoomBy(2); }
    else if (event.key === "-" || event.key === "_") { zoomBy(0.5); }
    else if (event.key === "0") { reset(); }
    else if (moves[event.key]) { panBy(moves[event.key][0], moves[event.key][1]); }
    else { return; }
    event.preventDefault();
  });
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var at = toMap(event);
    zoomBy(event.deltaY < 0 ? 1.25 : 0.8, at[0], at[1]);
  }, {passive: false});

  var drag = null;
  var dragged = false;  // a drag is not a click on the dot it ended over
  svg.addEventListener("click", function (event) {
    if (dragged) { event.preventDefault(); event.stopPropagation(); dragged = false; }
  }, true);
  svg.addEventListener("pointerdown", function (event) {
    dragged = false;
    if (event.button !== 0) { return; }
    drag = {x: event.clientX, y: event.clientY, view: view.slice(), scale: toMap(event)[2], moved: false};
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    if (!drag.moved) { svg.setPointerCapture(event.pointerId); svg.classList.add("dragging"); }
    drag.moved = true;
    view[0] = drag.view[0] - dx * drag.scale;
    view[1] = drag.view[1] - dy * drag.scale;
    apply();
  });
  var end = function () {
    dragged = Boolean(drag && drag.moved);
    drag = null;
    svg.classList.remove("dragging");
  };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
  apply();
}

// Map clusters (issue 17): dots that overlap at the current zoom are drawn as one circle
// with their count; choosing it (click, Enter or Space) lists those incidents below the
// map, each a link. Zooming in splits a cluster as its dots come apart.
function mapClusters(svg, dots) {
  var NS = "http://www.w3.org/2000/svg";
  var layer = document.createElementNS(NS, "g");
  layer.setAttribute("class", "clusters");
  svg.appendChild(layer);
  var panel = document.createElement("div");
  panel.className = "cluster-list";
  panel.hidden = true;
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", "Incidents close together");
  svg.parentNode.insertBefore(panel, svg.nextSibling);
  var points = dots.map(function (d) {
    var link = d.parentNode;
    return {link: link, x: Number(d.getAttribute("cx")), y: Number(d.getAttribute("cy")), dot: d,
            href: link.getAttribute("href"), label: (d.querySelector("title") || d).textContent};
  });
  var opener = null;

  var open = function (group, from) {
    opener = from;
    panel.textContent = "";
    var heading = document.createElement("h3");
    heading.textContent = group.length + " incidents close together";
    heading.tabIndex = -1;
    var list = document.createElement("ul");
    group.forEach(function (p) {
      var item = document.createElement("li");
      var a = document.createElement("a");
      a.href = p.href;
      a.textContent = p.label;
      item.appendChild(a);
      list.appendChild(item);
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close the list";
    close.addEventListener("click", hide);
    panel.append(heading, list, close);
    panel.hidden = false;
    heading.focus();
  };
  var hide = function () {
    panel.hidden = true;
    panel.textContent = "";
    if (opener && opener.isConnected) { opener.focus(); }
  };
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); hide(); }
  });

  // Single linkage: a dot joins a group when it overlaps any dot of it.
  var group = function () {
    var n = points.length, parent = points.map(function (_, i) { return i; });
    var root = function (i) { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; };
    for (var i = 0; i < n; i++) {
      var ri = Number(points[i].dot.getAttribute("r"));
      for (var j = i + 1; j < n; j++) {
        var rj = Number(points[j].dot.getAttribute("r"));
        var dx = points[i].x - points[j].x, dy = points[i].y - points[j].y;
        if (Math.sqrt(dx * dx + dy * dy) < ri + rj) { parent[root(j)] = root(i); }
      }
    }
    var groups = {};
    points.forEach(function (p, k) { (groups[root(k)] = groups[root(k)] || []).push(p); });
    return Object.keys(groups).map(function (k) { return groups[k]; });
  };

  var draw = function () {
    var focused = document.activeElement && layer.contains(document.activeElement)
      ? document.activeElement.getAttribute("data-ids") : null;
    layer.textContent = "";
    group().forEach(function (members) {
      var alone = members.length === 1;
      members.forEach(function (p) { p.link.style.display = alone ? "" : "none"; });
      if (alone) { return; }
      var x = 0, y = 0, r = 0;
      members.forEach(function (p) { x += p.x; y += p.y; r = Math.max(r, Number(p.dot.getAttribute("r"))); });
      x /= members.length; y /= members.length; r *= 2;
      var ids = members.map(function (p) { return p.href; }).join(" ");
      var g = document.createElementNS(NS, "g");
      g.setAttribute("class", "cluster");
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("data-ids", ids);
      g.setAttribute("aria-label", members.length + " incidents close together: list them");
      var title = document.createElementNS(NS, "title");
      title.textContent = members.length + " incidents close together (select to list them)";
      var circle = document.createElementNS(NS, "circle");
      circle.setAttribute("cx", x.toFixed(1));
      circle.setAttribute("cy", y.toFixed(1));
      circle.setAttribute("r", r.toFixed(2));
      var text = document.createElementNS(NS, "text");
      text.setAttribute("x", x.toFixed(1));
      text.setAttribute("y", y.toFixed(1));
      text.setAttribute("font-size", (r * 1.1).toFixed(2));
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("dominant-baseline", "central");
      text.textContent = String(members.length);
      g.append(title, circle, text);
      g.addEventListener("click", function () { open(members, g); });
      g.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          event.stopPropagation();
          open(members, g);
        }
      });
      layer.appendChild(g);
      if (focused === ids) { g.focus(); }
    });
  };
  return {draw: draw};
}
