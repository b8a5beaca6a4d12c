// The Health page: GET /dashboard/api/health drawn with uPlot (served by the gateway from its webjar, no CDN).
// Numbers reach the DOM through textContent; the charts are canvases.

const UPLOT_JS = '/ui/vendor/uplot/uPlot.iife.min.js';
const UPLOT_CSS = '/ui/vendor/uplot/uPlot.min.css';
const POLL_MS = 15000;
const COLORS = {
  requests: '#0c66e4', errors: '#c9372c', p50: '#1f845a', p95: '#a54800', p99: '#c9372c',
  ok: '#1f845a', rejected: '#c9372c', transient: '#a54800',
  fresh: '#1f845a', due: '#0c66e4', failing: '#a54800', revoked: '#c9372c',
};
const STATES = [
  ['fresh', 'Fresh', 'access token valid past the refresh margin'],
  ['due', 'Due', 'access token expires within the refresh margin: refreshed on next use or by the sweep'],
  ['failing', 'Failing', 'token endpoint failed (5xx/timeout): tokens kept, retrying with backoff'],
  ['revoked', 'Revoked', 'provider refused the refresh token: the end user must re-authorise'],
];

let uplotLoading = null;

/** Loads uPlot's script and stylesheet once, from this origin (the CSP allows nothing else). */
function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!uplotLoading) {
    uplotLoading = new Promise((resolve, reject) => {
      const css = document.createElement('link');
      css.rel = 'stylesheet';
      css.href = UPLOT_CSS;
      document.head.append(css);
      const s = document.createElement('script');
      s.src = UPLOT_JS;
      s.onload = () => resolve(window.uPlot);
      s.onerror = () => { uplotLoading = null; reject(new Error('the chart library ' + UPLOT_JS + ' did not load')); };
      document.head.append(s);
    });
  }
  return uplotLoading;
}

const fmt = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));
const ms = (n) => (n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US') + ' ms');

/** y from 0 to a little above the largest value; an empty series still gets an axis 0..1. */
const yRange = (u, min, max) => [0, max === null || !(max > 0) ? 1 : Math.ceil(max * 1.1)];
/** Latency: an empty minute-series shows 0..100 ms rather than fractions of a millisecond. */
const msRange = (u, min, max) => [0, max === null || !(max > 0) ? 100 : Math.ceil(max * 1.1)];
/** Counts have whole-number ticks. */
const COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 1e4, 2e4, 5e4, 1e5, 1e6, 1e7];

export async function renderHealth({ h, clear, api, page, errorBox, every, onLeave }) {
  const updated = h('span', { id: 'health-updated', class: 'muted small', 'aria-live': 'off' });
  const body = h('div', { class: 'page-body', 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading health…' }));
  page('Health',
    h('div', { class: 'toolbar' },
      h('p', { class: 'lead', text: 'Proxied calls and latency of the last hour, token refreshes of the last 24 hours, and every connection by state and refresh-token age against Atlassian\'s 90-day inactivity limit.' }),
      updated),
    body);

  // left before the first answer came (another page, or routed again): that answer must not draw into the next page
  let left = false;
  onLeave(() => { left = true; });
  let uPlot;
  let data;
  try {
    [uPlot, data] = await Promise.all([loadUplot(), api('GET', '/dashboard/api/health')]);
  } catch (e) {
    if (left) return;
    clear(body).append(errorBox(e, 'load the health numbers'));
    body.removeAttribute('aria-busy');
    return;
  }
  if (left) return;
  body.removeAttribute('aria-busy');

  const tile = (id, label, hint) => h('div', { class: 'tile', title: hint || null },
    h('span', { class: 'tile-label', text: label }), h('strong', { id, class: 'tile-value', text: '—' }));
  const chartBox = (id, label) => h('div', { id, class: 'chart', role: 'img', 'aria-label': label });
  const note = (id) => h('p', { id, class: 'muted chart-note', hidden: true });

  const proxyCard = h('section', { class: 'card', id: 'health-proxy' },
    h('h2', { text: 'Proxied calls, last hour' }),
    h('div', { class: 'tiles' },
      tile('health-requests', 'Requests'), tile('health-errors', 'Errors', 'answered 4xx/5xx or not at all'),
      tile('health-error-rate', 'Error rate'), tile('health-p50', 'p50'), tile('health-p95', 'p95'), tile('health-p99', 'p99')),
    h('div', { class: 'chart-grid' },
      h('figure', {}, h('figcaption', { text: 'Requests and errors per minute' }), chartBox('chart-requests', 'Requests and errors per minute')),
      h('figure', {}, h('figcaption', { text: 'Latency per minute (ms)' }), chartBox('chart-latency', 'Latency percentiles per minute'))),
    note('health-proxy-empty'));
  const refreshCard = h('section', { class: 'card', id: 'health-refresh' },
    h('h2', { text: 'Token refreshes, last 24 hours' }),
    h('div', { class: 'tiles' },
      tile('health-refresh-ok', 'OK'), tile('health-refresh-rejected', 'Rejected', 'provider 4xx: re-authorise'),
      tile('health-refresh-transient', 'Transient', '5xx/timeout: tokens kept, retried')),
    h('p', { class: 'muted small', id: 'health-since-start' }),
    h('figure', {}, h('figcaption', { text: 'Refreshes per hour by outcome' }), chartBox('chart-refresh', 'Refreshes per hour by outcome')),
    note('health-refresh-empty'));
  const connCard = h('section', { class: 'card', id: 'health-connections' },
    h('h2', { text: 'Connections' }),
    h('div', { class: 'tiles' },
      STATES.map(([key, label, hint]) => tile('health-state-' + key, label, hint)),
      tile('health-oldest', 'Oldest refresh token'), tile('health-over-limit', 'Past 90 days')),
    h('figure', {}, h('figcaption', { text: 'Connections by days since the refresh token was issued or last used' }),
      chartBox('chart-ages', 'Histogram of refresh-token age in days, by state, with the 90-day inactivity limit marked')),
    note('health-connections-empty'));
  clear(body).append(proxyCard, refreshCard, connCard);

  const charts = {};
  const width = (el) => Math.max(280, el.clientWidth || 600);
  const markRendered = (u) => { u.root.parentElement.dataset.rendered = 'true'; };

  const lineChart = (id, series, counts) => {
    const el = document.getElementById(id);
    return new uPlot({
      width: width(el), height: 220,
      scales: { x: { time: true }, y: { range: counts ? yRange : msRange } },
      series: [{}, ...series.map(([label, color, fill]) => ({
        label, stroke: color, width: 2, fill: fill ? color + '22' : undefined, spanGaps: false, points: { show: false },
      }))],
      axes: [{}, counts ? { size: 60, incrs: COUNT_INCRS } : { size: 60 }],
      hooks: { draw: [markRendered] },
    }, null, el);
  };

  const stackedBars = (id, keys, raw, markers, time) => {
    const el = document.getElementById(id);
    // draw cumulative sums from the whole stack down, so each layer's bar sits on top of the ones before it
    const series = [time ? {} : { label: 'days' }];
    for (let i = keys.length - 1; i >= 0; i--) {
      const [key, label] = keys[i];
      series.push({
        label, stroke: COLORS[key], fill: COLORS[key], width: 0, points: { show: false },
        paths: uPlot.paths.bars({ size: [0.85, 40] }),
        value: (u, v, si, idx) => (idx === null || idx === undefined ? '—' : fmt(raw[key][idx])),
      });
    }
    return new uPlot({
      width: width(el), height: 240,
      scales: {
        x: time ? { time: true, range: (u, min, max) => [min - time / 2, max + time / 2] } : { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: yRange },
      },
      series,
      axes: [time ? {} : { label: 'days', values: (u, ticks) => ticks.map((t) => t) }, { size: 50, incrs: COUNT_INCRS }],
      legend: { live: true },
      hooks: {
        draw: [(u) => {
          const dpr = devicePixelRatio || 1;
          const c = u.ctx;
          for (const [day, color, text] of markers) {
            const x = Math.round(u.valToPos(day, 'x', true));
            c.save();
            c.strokeStyle = color;
            c.fillStyle = color;
            c.lineWidth = 2 * dpr;
            c.setLineDash([6 * dpr, 4 * dpr]);
            c.beginPath();
            c.moveTo(x, u.bbox.top);
            c.lineTo(x, u.bbox.top + u.bbox.height);
            c.stroke();
            c.font = `${12 * dpr}px system-ui, sans-serif`;
            c.textAlign = 'right';
            c.fillText(text, x - 4 * dpr, u.bbox.top + 14 * dpr);
            c.restore();
          }
          markRendered(u);
        }],
      },
    }, null, el);
  };

  /** [x, whole stack, …, first layer]: the series order stackedBars draws. */
  const stack = (xs, keys, values) => {
    const out = [xs];
    const sums = xs.map(() => 0);
    const layers = [];
    for (const [key] of keys) {
      values[key].forEach((v, i) => { sums[i] += v; });
      layers.push(sums.slice());
    }
    for (let i = layers.length - 1; i >= 0; i--) out.push(layers[i]);
    return out;
  };
  const OUTCOMES = [['ok', 'ok'], ['transient', 'transient'], ['rejected', 'rejected']];

  const show = (d) => {
    const p = d.proxy;
    const set = (id, text) => { const el = document.getElementById(id); if (el && el.textContent !== text) el.textContent = text; };
    set('health-requests', fmt(p.requests));
    set('health-errors', fmt(p.errors));
    set('health-error-rate', p.requests ? (100 * p.errors / p.requests).toFixed(1) + ' %' : '—');
    set('health-p50', ms(p.latency_ms.p50));
    set('health-p95', ms(p.latency_ms.p95));
    set('health-p99', ms(p.latency_ms.p99));
    const pe = document.getElementById('health-proxy-empty');
    pe.hidden = p.requests > 0;
    pe.textContent = 'No proxied calls in the last hour: calls to /proxy appear here within a few seconds.';
    const pd = [p.series.time, p.series.requests, p.series.errors];
    const ld = [p.series.time, p.series.p50_ms, p.series.p95_ms, p.series.p99_ms];

    const r = d.refresh;
    set('health-refresh-ok', fmt(r.totals.ok));
    set('health-refresh-rejected', fmt(r.totals.rejected));
    set('health-refresh-transient', fmt(r.totals.transient));
    const s = r.since_start;
    set('health-since-start', `Since this node started: ${fmt(s.ok)} ok, ${fmt(s.rejected)} rejected, ${fmt(s.transient)} transient, ${fmt(s.recovered)} recovered by the sweep (refreshes a stopped node left half-done).`);
    const re = document.getElementById('health-refresh-empty');
    re.hidden = r.totals.ok + r.totals.rejected + r.totals.transient > 0;
    re.textContent = 'No refreshes in the last 24 hours.';
    const rd = stack(r.series.time, OUTCOMES, r.series);

    const c = d.connections;
    for (const [key] of STATES) set('health-state-' + key, fmt(c.by_state[key]));
    set('health-oldest', c.oldest_days === null ? '—' : fmt(c.oldest_days) + ' d');
    set('health-over-limit', fmt(c.over_limit));
    document.getElementById('health-over-limit').closest('.tile').classList.toggle('tile-alert', c.over_limit > 0);
    document.getElementById('health-state-revoked').closest('.tile').classList.toggle('tile-alert', c.by_state.revoked > 0);
    const ce = document.getElementById('health-connections-empty');
    ce.hidden = c.total > 0;
    ce.textContent = 'No connections yet: authorise one from Integrations or Connections.';
    const ad = stack(c.age_histogram.days, STATES, c.age_histogram);

    if (!charts.requests) {
      charts.requests = lineChart('chart-requests', [['requests', COLORS.requests, true], ['errors', COLORS.errors, true]], true);
      charts.latency = lineChart('chart-latency', [['p50', COLORS.p50], ['p95', COLORS.p95], ['p99', COLORS.p99]], false);
      // the legends show each layer's own count, not the stacked height: they read these, updated on every poll
      charts.refreshRaw = { ...r.series };
      charts.refresh = stackedBars('chart-refresh', OUTCOMES, charts.refreshRaw, [], r.bucket_seconds);
      charts.agesRaw = { ...c.age_histogram };
      charts.ages = stackedBars('chart-ages', STATES, charts.agesRaw,
        [[c.keep_alive_days, '#5e6c84', `keep-alive ${c.keep_alive_days} d`], [c.inactivity_limit_days, COLORS.revoked, `${c.inactivity_limit_days}-day limit`]], 0);
    } else {
      Object.assign(charts.refreshRaw, r.series);
      Object.assign(charts.agesRaw, c.age_histogram);
    }
    charts.requests.setData(pd);
    charts.latency.setData(ld);
    charts.refresh.setData(rd);
    charts.ages.setData(ad);
    set('health-updated', 'updated ' + new Date().toLocaleTimeString());
  };

  show(data);

  const resize = () => {
    for (const [id, u] of [['chart-requests', charts.requests], ['chart-latency', charts.latency], ['chart-refresh', charts.refresh], ['chart-ages', charts.ages]]) {
      const el = document.getElementById(id);
      if (u && el) u.setSize({ width: width(el), height: u.height });
    }
  };
  window.addEventListener('resize', resize);
  onLeave(() => {
    window.removeEventListener('resize', resize);
    for (const k of ['requests', 'latency', 'refresh', 'ages']) if (charts[k]) charts[k].destroy();
  });
  every(POLL_MS, async () => {
    if (document.hidden) return;
    try {
      show(await api('GET', '/dashboard/api/health'));
    } catch (e) {
      updated.textContent = 'update failed: ' + e.message;
    }
  });
}
