// Time-series charts for the console's monitoring pages: a thin wrapper over uPlot (served from
// /node_modules, no build step). One chart = one canvas with one or more series over time, each
// series on the scale of its unit (kb/s, %, ms, fps: the first unit's axis on the left, the
// others on the right), alarm periods drawn as shaded bands behind the lines (a drawClear hook),
// and a legend in plain HTML under the canvas: the last value of each series, or the value under
// the pointer while it hovers. The canvas is not readable by a screen reader: the chart's box
// carries role="img" and an aria-label summarising the last values (see `summary`).
//
//   const chart = createTimeChart(container, {
//     label: 'Huyện 1', lang: 'vi', height: 160, windowS: 300,
//     series: [{label: 'kb/s nhận', unit: 'kbps', color: '#1f6fd1'}, ...],
//   });
//   chart.setData(atMs, [col0, col1, ...]);      // or chart.append(atMs, [v0, v1, ...])
//   chart.setBands([{fromMs, toMs (null: still active), severity: 'warning'|'critical'}]);
//   chart.destroy();
//
// Values below 0 (the MCU's "not measured", e.g. RTT -1) and null are gaps.

import uPlot from '/node_modules/uplot/dist/uPlot.esm.js';
import { formatNumber } from './logic/format.js';

// The number format is DOM-free (logic/format.js); the pages take it from here too.
export { formatNumber };

// Colours of the four stream directions (received = solid, sent = dashed) and of the rest.
export const COLORS = {
  audioIn: '#0f8a9d',
  audioOut: '#0f8a9d',
  videoIn: '#5b3fc4',
  videoOut: '#5b3fc4',
  in: '#1f6fd1',
  out: '#c2570c',
  loss: '#b3261e',
  rtt: '#4b5563',
  jitter: '#8a5a00',
};

const BAND_FILL = {
  warning: 'rgba(224, 161, 0, 0.16)',
  critical: 'rgba(179, 38, 30, 0.16)',
};
const BAND_EDGE = {
  warning: 'rgba(224, 161, 0, 0.55)',
  critical: 'rgba(179, 38, 30, 0.55)',
};

// Per unit: how many decimals, the smallest top of the axis (a flat 0 line stays low), suffix.
const UNITS = {
  kbps: { digits: 0, minTop: 10, suffix: 'kb/s' },
  pct: { digits: 1, minTop: 1, suffix: '%' },
  ms: { digits: 0, minTop: 10, suffix: 'ms' },
  fps: { digits: 0, minTop: 5, suffix: 'fps' },
};

const pad = (n) => String(n).padStart(2, '0');
function clock(sec, withSeconds) {
  const d = new Date(sec * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? ':' + pad(d.getSeconds()) : ''}`;
}

function clean(v) {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

let chartSeq = 0;

// Makes a chart inside `container` (emptied). Options:
//   series: [{label, unit: 'kbps'|'pct'|'ms'|'fps', color, dash?: true}]
//   label: what the chart shows (for its aria-label); lang: 'vi'|'en'
//   height (px, default 150); width (px; default: the container's width, followed on resize)
//   windowS: show only the last windowS seconds (the x axis scrolls with the newest point)
//   maxPoints: append() keeps at most this many points (default 3600)
//   summary(lastValues, chart): the aria-label text (default: "label: series value unit, ...")
//   emptyText: what the legend says while there is no data
export function createTimeChart(container, opts) {
  const lang = opts.lang || 'vi';
  const seriesOpts = opts.series || [];
  const units = [...new Set(seriesOpts.map((s) => s.unit))];
  const height = opts.height || 150;
  const id = `chart-${++chartSeq}`;

  let times = [];                       // seconds
  let columns = seriesOpts.map(() => []);
  let bands = [];
  let destroyed = false;

  container.replaceChildren();
  container.classList.add('chart');
  const plot = document.createElement('div');
  plot.className = 'chart-plot';
  plot.setAttribute('role', 'img');
  plot.id = id;
  const legend = document.createElement('ul');
  legend.className = 'chart-legend';
  const legendValues = seriesOpts.map((s) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'chart-swatch';
    if (s.dash) swatch.classList.add('chart-swatch-dash');
    swatch.style.borderColor = s.color;
    if (!s.dash) swatch.style.backgroundColor = s.color;
    const name = document.createElement('span');
    name.className = 'chart-name';
    name.textContent = s.label;
    const value = document.createElement('span');
    value.className = 'chart-value';
    value.textContent = '—';
    li.append(swatch, name, value);
    legend.append(li);
    return value;
  });
  const timeEl = document.createElement('li');
  timeEl.className = 'chart-time';
  legend.append(timeEl);
  container.append(plot, legend);

  const unitOf = (i) => UNITS[seriesOpts[i].unit] || UNITS.kbps;
  const fmtValue = (i, v) => {
    const u = unitOf(i);
    return v === null || v === undefined ? '—' : `${formatNumber(v, u.digits, lang)} ${u.suffix}`;
  };

  const axisFont = '11px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';
  const axes = [
    {
      stroke: '#5d6b7a',
      font: axisFont,
      size: 28,
      space: 60,
      grid: { stroke: '#eef1f4', width: 1 },
      ticks: { stroke: '#dde3ea', width: 1, size: 4 },
      values: (u, splits) => {
        const step = splits.length > 1 ? splits[1] - splits[0] : 60;
        return splits.map((v) => clock(v, step < 60));
      },
    },
    ...units.map((unit, i) => ({
      scale: unit,
      side: i === 0 ? 3 : 1,
      stroke: i === 0 ? '#5d6b7a' : seriesOpts.find((s) => s.unit === unit).color,
      font: axisFont,
      size: 44,
      space: 24,
      grid: { show: i === 0, stroke: '#eef1f4', width: 1 },
      ticks: { stroke: '#dde3ea', width: 1, size: 3 },
      values: (u, splits) => splits.map((v) => formatNumber(v, (UNITS[unit] || UNITS.kbps).digits && v % 1 ? 1 : 0, lang)),
    })),
  ];
  const scales = {
    x: {
      time: true,
      range: (u, min, max) => {
        if (opts.windowS) {
          const end = times.length ? times[times.length - 1] : Date.now() / 1000;
          return [end - opts.windowS, end];
        }
        if (min === null || max === null || min === max) {
          const now = Date.now() / 1000;
          return [(min ?? now) - 60, (max ?? now)];
        }
        return [min, max];
      },
    },
  };
  for (const unit of units) {
    const minTop = (UNITS[unit] || UNITS.kbps).minTop;
    scales[unit] = {
      auto: true,
      range: (u, min, max) => [0, Math.max(minTop, (max || 0) * 1.12)],
    };
  }

  const uopts = {
    width: opts.width || Math.max(200, container.clientWidth || 300),
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    select: { show: false },
    padding: [8, units.length > 1 ? 6 : 18, 0, 2],
    scales,
    axes,
    series: [
      {},
      ...seriesOpts.map((s) => ({
        label: s.label,
        scale: s.unit,
        stroke: s.color,
        width: 1.6,
        dash: s.dash ? [5, 3] : undefined,
        spanGaps: false,
        points: { show: false },
      })),
    ],
    hooks: {
      drawClear: [drawBands],
      setCursor: [onCursor],
    },
  };

  const u = new uPlot(uopts, [times, ...columns], plot);

  function drawBands(chart) {
    if (!bands.length || !times.length) return;
    const { ctx } = chart;
    const { left, top, width, height: h } = chart.bbox;
    const nowS = times[times.length - 1];
    ctx.save();
    for (const b of bands) {
      const from = b.fromMs / 1000;
      const to = b.toMs ? b.toMs / 1000 : nowS;
      let x0 = chart.valToPos(from, 'x', true);
      let x1 = chart.valToPos(Math.max(to, from), 'x', true);
      if (x1 < left || x0 > left + width) continue;
      x0 = Math.max(left, x0);
      x1 = Math.min(left + width, Math.max(x1, x0 + 2));
      ctx.fillStyle = BAND_FILL[b.severity] || BAND_FILL.warning;
      ctx.fillRect(x0, top, x1 - x0, h);
      ctx.fillStyle = BAND_EDGE[b.severity] || BAND_EDGE.warning;
      ctx.fillRect(x0, top, Math.max(1, uPlot.pxRatio), h);
    }
    ctx.restore();
  }

  function lastValues() {
    return columns.map((col) => {
      for (let i = col.length - 1; i >= 0 && i >= col.length - 15; i--) if (col[i] !== null) return col[i];
      return null;
    });
  }

  function showValues(idx) {
    const hovering = idx !== null && idx !== undefined && idx < times.length;
    const values = hovering ? columns.map((col) => col[idx]) : lastValues();
    values.forEach((v, i) => {
      legendValues[i].textContent = fmtValue(i, v);
    });
    timeEl.textContent = times.length
      ? clock(hovering ? times[idx] : times[times.length - 1], true)
      : (opts.emptyText || '');
  }

  function onCursor(chart) {
    showValues(chart.cursor.idx);
  }

  function summary() {
    const values = lastValues();
    if (opts.summary) return opts.summary(values, api);
    const parts = seriesOpts.map((s, i) => `${s.label} ${fmtValue(i, values[i])}`);
    return `${opts.label || ''}: ${parts.join(', ')}`;
  }

  function refresh() {
    if (destroyed) return;
    u.setData([times, ...columns]);
    showValues(u.cursor.idx);
    plot.setAttribute('aria-label', summary());
  }

  let observer = null;
  if (!opts.width && typeof ResizeObserver === 'function') {
    let lastWidth = 0;
    observer = new ResizeObserver(() => {
      const w = Math.floor(container.clientWidth);
      if (w > 0 && Math.abs(w - lastWidth) >= 2) {
        lastWidth = w;
        u.setSize({ width: w, height });
      }
    });
    observer.observe(container);
  }

  const api = {
    uplot: u,
    element: plot,
    // Replaces the data: atMs (milliseconds, oldest first) and one array per series.
    setData(atMs, cols) {
      times = (atMs || []).map((t) => t / 1000);
      columns = seriesOpts.map((_, i) => ((cols && cols[i]) || []).map(clean));
      for (const col of columns) while (col.length < times.length) col.push(null);
      refresh();
    },
    // Adds one point (values in series order); drops points older than windowS, beyond maxPoints.
    append(atMs, values) {
      const t = atMs / 1000;
      if (times.length && t <= times[times.length - 1]) return;
      times.push(t);
      columns.forEach((col, i) => col.push(clean(values[i])));
      const max = opts.maxPoints || 3600;
      let drop = Math.max(0, times.length - max);
      if (opts.windowS) while (drop < times.length && times[drop] < t - opts.windowS - 2) drop++;
      if (drop > 0) {
        times.splice(0, drop);
        for (const col of columns) col.splice(0, drop);
      }
      refresh();
    },
    // Alarm periods: [{fromMs, toMs (0/null while active), severity}].
    setBands(list) {
      bands = (list || []).filter((b) => b && b.fromMs);
      if (!destroyed) u.redraw(false, false);
    },
    resize(width, h = height) {
      if (!destroyed) u.setSize({ width, height: h });
    },
    lastValues,
    summary,
    get length() {
      return times.length;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      if (observer) observer.disconnect();
      u.destroy();
      container.replaceChildren();
    },
  };
  refresh();
  return api;
}
