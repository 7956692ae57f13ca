/**
 * The page's own script, run after the bundled vega, vega-lite and vega-embed: draws every chart
 * from the JSON spec beside its container, interactive (tooltips, export menu), in the light or
 * dark theme the reader's system asks for, and again when that changes. Charts inside a closed
 * `<details>` are drawn when it opens, so a sweep of many runs opens quickly.
 *
 * Progress is published on `<body>` (`data-charts-total`, `-rendered`, `-failed`) for tests.
 * Plain ES2019 in a string: the page needs no build step.
 */
export const PAGE_SCRIPT = `
(function () {
  var dark = window.matchMedia('(prefers-color-scheme: dark)');
  var specs = {};
  var ids = [];
  document.querySelectorAll('script.chart-spec').forEach(function (s) {
    specs[s.getAttribute('data-target')] = JSON.parse(s.textContent);
    ids.push(s.getAttribute('data-target'));
  });
  var views = {};
  var started = {};
  var rendered = 0;
  var failed = 0;
  function publish() {
    document.body.setAttribute('data-charts-total', String(ids.length));
    document.body.setAttribute('data-charts-rendered', String(rendered));
    document.body.setAttribute('data-charts-failed', String(failed));
  }
  function draw(id) {
    var el = document.getElementById(id);
    if (views[id]) views[id].finalize();
    return vegaEmbed(el, specs[id], {
      renderer: 'svg',
      logLevel: vega.Error, // vega-lite's dataflow-optimiser notice is not the reader's concern
      actions: { export: true, source: true, compiled: false, editor: false },
      theme: dark.matches ? 'dark' : undefined,
      config: { background: 'transparent' },
      tooltip: { theme: dark.matches ? 'dark' : 'light' },
    }).then(function (result) {
      views[id] = result;
      return true;
    }, function (error) {
      console.error('chart ' + id + ' could not be drawn: ' + error);
      el.textContent = 'This chart could not be drawn: ' + error;
      el.classList.add('chart-error');
      return false;
    });
  }
  function drawOnce(id) {
    if (started[id]) return;
    started[id] = true;
    draw(id).then(function (ok) {
      if (ok) rendered++; else failed++;
      publish();
    });
  }
  ids.forEach(function (id) {
    var details = document.getElementById(id).closest('details');
    if (!details || details.open) drawOnce(id);
  });
  document.querySelectorAll('details.run').forEach(function (details) {
    details.addEventListener('toggle', function () {
      if (details.open) details.querySelectorAll('.chart').forEach(function (c) { drawOnce(c.id); });
    });
  });
  dark.addEventListener('change', function () {
    Object.keys(views).forEach(function (id) { draw(id); });
  });
  publish();
})();
`;
