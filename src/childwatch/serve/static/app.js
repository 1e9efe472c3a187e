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

function incidentLabel(r) {
  var where = [r.location_name, r.location_admin1, r.location_country].filter(Boolean).join(", ") || "place unknown";
  var when = r.date_start ? (r.date_end && r.date_end !== r.date_start ? r.date_start + " to " + r.date_end : r.date_start) : "date unknown";
  return r.id + " · " + r.violation.replace(/_/g, " ") + " · " + where + " · " + when + " · " +
    (r.perpetrator || "perpetrator not named") + " · " + r.n_documents + " report" + (r.n_documents === 1 ? "" : "s");
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
