/* kg explorer: draws the neighbourhood graph and fills the search box's suggestions.
 * Data comes from <script type="application/json" id="graph-data"> (never run as code)
 * and from /api/suggest; every text is set with textContent or as a data value, never as HTML. */
(function () {
  "use strict";

  function drawGraph() {
    var holder = document.getElementById("graph");
    var source = document.getElementById("graph-data");
    if (!holder || !source || typeof cytoscape !== "function") { return; }
    var graph = JSON.parse(source.textContent);
    var elements = [];
    graph.nodes.forEach(function (n) {
      var href = null;
      if (graph.links) {
        href = (n.type === "Paper" ? "/paper/" : "/entity/") + encodeURIComponent(n.id).replace(/%3A/g, ":");
      }
      elements.push({ group: "nodes", data: {
        id: n.id, name: n.name, full: n.full, type: n.type, color: n.color, ring: n.ring, href: href
      }, classes: n.ring === 3 ? "center" : "" });
    });
    graph.edges.forEach(function (e, i) {
      elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, label: e.label } });
    });
    var cy = cytoscape({
      container: holder,
      elements: elements,
      style: [
        { selector: "node", style: {
          "background-color": "data(color)", "label": "data(name)", "font-size": 9, "text-valign": "bottom",
          "text-margin-y": 3, "width": 18, "height": 18, "border-width": 1, "border-color": "#555",
          "text-wrap": "ellipsis", "text-max-width": 140 } },
        { selector: "node.center", style: { "width": 30, "height": 30, "border-width": 3, "font-weight": "bold" } },
        { selector: "edge", style: {
          "width": 1, "line-color": "#b8b8b8", "target-arrow-color": "#b8b8b8", "target-arrow-shape": "triangle",
          "arrow-scale": 0.7, "curve-style": "bezier", "label": "data(label)", "font-size": 6, "color": "#666",
          "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
        { selector: "node:selected", style: { "border-color": "#d00", "border-width": 3 } }
      ],
      layout: { name: "concentric", concentric: function (n) { return n.data("ring"); },
                levelWidth: function () { return 1; }, minNodeSpacing: 22, animate: false }
    });
    if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(); }  // a small graph is not blown up to the frame
    cy.on("tap", "node", function (evt) {
      var href = evt.target.data("href");
      if (href) { window.location.assign(href); }
    });
    cy.on("mouseover", "node", function (evt) { holder.title = evt.target.data("type") + ": " + evt.target.data("full"); });
    window.kgGraph = cy;
    holder.setAttribute("data-nodes", String(cy.nodes().length));
    holder.setAttribute("data-ready", "true");
  }

  function suggestions() {
    var input = document.getElementById("q");
    var list = document.getElementById("kg-suggestions");
    if (!input || !list) { return; }
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (!text || text === asked) { return; }
        asked = text;
        fetch("/api/suggest?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            if (asked !== text) { return; }
            while (list.firstChild) { list.removeChild(list.firstChild); }
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.name;
              option.label = item.label;
              option.setAttribute("data-id", item.id);
              list.appendChild(option);
            });
            list.setAttribute("data-for", text);
          })
          .catch(function () { /* a suggestion that fails leaves the box as it was */ });
      }, 120);
    });
  }

  function start() { drawGraph(); suggestions(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
