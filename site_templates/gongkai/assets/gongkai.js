/* Gongkai: sortable tables and heading permalinks (vendored, no dependencies, works offline).
   A table with class "gk-sortable" sorts by a column when its header is
   clicked; numeric columns (th[data-type=num]) sort by the cell's data-sort
   value (exact amounts in 元) or its text. Re-run on Material's instant
   navigation through document$ when it is present. */
(function () {
  "use strict";
  function key(cell, numeric) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    if (!numeric) return raw;
    var n = parseFloat(String(raw).replace(/[,%\s]/g, ""));
    return isNaN(n) ? null : n;
  }
  function compare(a, b, numeric) {
    if (a === null || a === "") return b === null || b === "" ? 0 : 1;
    if (b === null || b === "") return -1;
    return numeric ? a - b : String(a).localeCompare(String(b), "zh-Hans-CN");
  }
  function sortBy(table, index, th) {
    var numeric = th.getAttribute("data-type") === "num";
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, i) {
      return { row: row, i: i, k: key(row.cells[index], numeric) };
    });
    keyed.sort(function (x, y) {
      var blankX = x.k === null || x.k === "", blankY = y.k === null || y.k === "";
      if (blankX || blankY) return blankX === blankY ? x.i - y.i : blankX ? 1 : -1;
      var c = compare(x.k, y.k, numeric);
      return (asc ? c : -c) || x.i - y.i;
    });
    keyed.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }
  // Department-year pages carry their headings' ids but not the ¶ links (page
  // size): add them, as Material does for Markdown headings.
  function permalinks() {
    var headings = document.querySelectorAll(".gk-budget h2[id], .gk-budget h3[id]");
    Array.prototype.forEach.call(headings, function (h) {
      if (h.querySelector(".headerlink")) return;
      var a = document.createElement("a");
      a.className = "headerlink";
      a.href = "#" + h.id;
      a.title = "本节链接";
      a.textContent = "¶";
      h.appendChild(a);
    });
  }
  function init() {
    permalinks();
    var tables = document.querySelectorAll("table.gk-sortable:not([data-gk-ready])");
    Array.prototype.forEach.call(tables, function (table) {
      table.setAttribute("data-gk-ready", "");
      if (!table.tHead || !table.tBodies.length) return;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "gk-sort";
        button.title = "点击排序";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", function () { sortBy(table, index, th); });
      });
    });
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
