/**
 * Interactive tables on screen: sort by a header click, search, pages of 25 rows and a CSV
 * download of the rows shown in the report. A small inline script (allowed by its hash in the
 * CSP, no library, nothing fetched); the printed page and the PDF get neither it nor its controls.
 */

export const TABLE_PAGE_ROWS = 25;

export const TABLE_TOOL_STYLES = `
.table-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; margin: 0 0 8px; font-size: 13px; color: var(--muted); }
.table-tools input[type="search"] { font: inherit; padding: 3px 8px; border: 1px solid var(--border-strong); border-radius: 6px; background: var(--card); color: var(--fg); min-width: 14em; }
.table-tools button { font: inherit; padding: 3px 10px; border: 1px solid var(--border-strong); border-radius: 6px; background: var(--card); color: var(--fg); cursor: pointer; }
.table-tools button:disabled { opacity: 0.45; cursor: default; }
.table-tools .table-pager { display: inline-flex; align-items: center; gap: 6px; }
table.data th[aria-sort] { cursor: pointer; user-select: none; }
table.data th[aria-sort="ascending"] .col-name::after { content: " \\25B2"; font-size: 9px; }
table.data th[aria-sort="descending"] .col-name::after { content: " \\25BC"; font-size: 9px; }
@media screen { table.data tr.row-off { display: none; } }
@media print { .table-tools { display: none; } }
`;

export const TABLE_SCRIPT = String.raw`
(function () {
  'use strict';
  var PAGE = ${TABLE_PAGE_ROWS};
  function text(td) { return td.textContent.trim(); }
  function number(s) {
    var t = s.replace(/[$€£%,\s]/g, '');
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : null;
  }
  function isNull(td) { return !!td.querySelector('.null'); }
  function csvField(s) { return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function el(tag, props) { var e = document.createElement(tag); for (var k in props) e[k] = props[k]; return e; }
  function setup(wrap, n) {
    var table = wrap.querySelector('table.data');
    var body = table && table.tBodies[0];
    if (!body || body.rows.length < 2) return;
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var rows = Array.prototype.slice.call(body.rows);
    var shown = rows, page = 0, sortCol = -1, sortDir = 1;
    var tools = el('div', { className: 'table-tools' });
    var search = el('input', { type: 'search', placeholder: 'Search rows', className: 'table-search' });
    search.setAttribute('aria-label', 'Search the rows of this table');
    var pager = el('span', { className: 'table-pager' });
    var prev = el('button', { type: 'button', textContent: 'Previous', className: 'table-prev' });
    var next = el('button', { type: 'button', textContent: 'Next', className: 'table-next' });
    var where = el('span', { className: 'table-page' });
    pager.appendChild(prev); pager.appendChild(where); pager.appendChild(next);
    var csv = el('button', { type: 'button', textContent: 'Download CSV', className: 'table-csv', title: 'The rows of this table shown in the report (after search and sort), as a CSV file' });
    tools.appendChild(search); tools.appendChild(pager); tools.appendChild(csv);
    wrap.parentNode.insertBefore(tools, wrap);
    function show() {
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      if (page >= pages) page = pages - 1;
      var on = new Set(shown.slice(page * PAGE, page * PAGE + PAGE));
      rows.forEach(function (r) { r.classList.toggle('row-off', !on.has(r)); });
      where.textContent = shown.length ? 'Page ' + (page + 1) + ' of ' + pages + ' · ' + shown.length + (shown.length === 1 ? ' row' : ' rows') : 'No matching rows';
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
      pager.style.display = rows.length > PAGE ? '' : 'none';
    }
    function filter() {
      var q = search.value.trim().toLowerCase();
      shown = rows.filter(function (r) { return !q || r.textContent.toLowerCase().indexOf(q) >= 0; });
      page = 0; show();
    }
    function sortBy(i) {
      sortDir = sortCol === i ? -sortDir : 1; sortCol = i;
      heads.forEach(function (h, j) { h.setAttribute('aria-sort', j === i ? (sortDir > 0 ? 'ascending' : 'descending') : 'none'); });
      var keyed = rows.map(function (r, k) { var td = r.cells[i]; return { r: r, k: k, nul: !td || isNull(td), s: td ? text(td) : '', n: td ? number(text(td)) : null }; });
      var numeric = keyed.every(function (x) { return x.nul || x.n !== null; });
      keyed.sort(function (a, b) {
        if (a.nul !== b.nul) return a.nul ? 1 : -1; // empty values last either way
        var c = numeric ? a.n - b.n : a.s.localeCompare(b.s, undefined, { numeric: true });
        return c ? c * sortDir : a.k - b.k;
      });
      rows = keyed.map(function (x) { return x.r; });
      rows.forEach(function (r) { body.appendChild(r); });
      filter();
    }
    heads.forEach(function (h, i) {
      h.setAttribute('aria-sort', 'none');
      h.tabIndex = 0;
      h.addEventListener('click', function () { sortBy(i); });
      h.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(i); } });
    });
    search.addEventListener('input', filter);
    prev.addEventListener('click', function () { page--; show(); });
    next.addEventListener('click', function () { page++; show(); });
    csv.addEventListener('click', function () {
      var lines = [heads.map(function (h) { var name = h.querySelector('.col-name'); return csvField(h.getAttribute('data-name') || (name || h).textContent.trim()); }).join(',')];
      shown.forEach(function (r) { lines.push(Array.prototype.map.call(r.cells, function (td) { return isNull(td) ? '' : csvField(text(td)); }).join(',')); });
      var section = wrap.closest('section');
      var a = el('a', { href: 'data:text/csv;charset=utf-8,' + encodeURIComponent(lines.join('\r\n') + '\r\n'), download: ((section && section.id.replace(/^cell-/, '')) || 'table-' + (n + 1)) + '.csv' });
      document.body.appendChild(a); a.click(); a.remove();
    });
    show();
  }
  Array.prototype.forEach.call(document.querySelectorAll('.table-wrap'), setup);
})();
`;
