// Small SVG pictures the pages share, built node by node (no markup strings): icons, and the
// picture of a layout kind (grid, speaker, single, presenter) wherever a layout is chosen or
// shown (the live page's picker, the conference form). Styles: .layout-pic and .lp-* in app.css.

const SVG_NS = 'http://www.w3.org/2000/svg';

// svg('rect', {x: 0, ...}, child, ...): an SVG element; null/undefined attributes are skipped.
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

// A 16x16 icon: speaking, lock, star, sound, eye.
export function icon(name, cls = 'live-icon') {
  const root = svg('svg', { viewBox: '0 0 16 16', width: 16, height: 16, class: cls, 'aria-hidden': 'true', focusable: 'false' });
  const paths = {
    speaking: ['M2 6h3l4-3v10l-4-3H2z', 'M11 5.5c1 .8 1.5 1.6 1.5 2.5s-.5 1.7-1.5 2.5', 'M12.5 3.5c1.6 1.2 2.5 2.7 2.5 4.5s-.9 3.3-2.5 4.5'],
    lock: ['M3 7h10v7H3z', 'M4.5 7V5a3.5 3.5 0 0 1 7 0v2'],
    star: ['M8 1.8l1.9 3.9 4.3.6-3.1 3 .7 4.3L8 11.6l-3.8 2 .7-4.3-3.1-3 4.3-.6z'],
    sound: ['M2 6h3l4-3v10l-4-3H2z', 'M11 5.5c1 .8 1.5 1.6 1.5 2.5s-.5 1.7-1.5 2.5'],
    eye: ['M6 8a2 2 0 1 0 4 0a2 2 0 1 0-4 0z', 'M1 8c1.8-3.3 4.2-5 7-5s5.2 1.7 7 5c-1.8 3.3-4.2 5-7 5s-5.2-1.7-7-5z'],
  }[name] || [];
  for (const d of paths) root.append(svg('path', { d }));
  return root;
}

// A picture of a layout on a 64x36 canvas, from the MCU's geometry (media/layout.h): grid =
// equal tiles; speaker = the main tile on 3x3 of 4x4 cells, small tiles right and below;
// single = one tile; presenter = the speaker geometry with shared content in the main tile.
export function layoutPicture(kind) {
  const root = svg('svg', { viewBox: '0 0 64 36', width: 64, height: 36, class: `layout-pic layout-pic-${kind}`, 'aria-hidden': 'true', focusable: 'false' });
  const gap = 1.4;
  const tile = (x, y, w, hgt, cls) => svg('rect', { x: x + gap / 2, y: y + gap / 2, width: w - gap, height: hgt - gap, rx: 1.2, class: cls });
  const person = (cx, cy, r) => [
    svg('circle', { cx, cy: cy - r * 0.55, r: r * 0.42, class: 'lp-person' }),
    svg('path', { d: `M${cx - r * 0.85} ${cy + r * 0.9}a${r * 0.85} ${r * 0.75} 0 0 1 ${r * 1.7} 0z`, class: 'lp-person' }),
  ];
  root.append(svg('rect', { x: 0, y: 0, width: 64, height: 36, rx: 2, class: 'lp-canvas' }));
  const smallCells = [[48, 0], [48, 9], [48, 18], [0, 27], [16, 27], [32, 27], [48, 27]];
  if (kind === 'grid') {
    for (const [x, y] of [[0, 0], [32, 0], [0, 18], [32, 18]]) root.append(tile(x, y, 32, 18, 'lp-tile'), ...person(x + 16, y + 9, 5));
  } else if (kind === 'single') {
    root.append(tile(0, 0, 64, 36, 'lp-main'), ...person(32, 18, 11));
  } else if (kind === 'speaker') {
    root.append(tile(0, 0, 48, 27, 'lp-main'), ...person(24, 13.5, 9));
    for (const [x, y] of smallCells) root.append(tile(x, y, 16, 9, 'lp-tile'));
  } else {
    root.append(tile(0, 0, 48, 27, 'lp-content'));
    root.append(svg('rect', { x: 6, y: 5, width: 22, height: 3, rx: 1, class: 'lp-line lp-line-strong' }));
    for (const [y, w] of [[11, 34], [15, 30], [19, 26]]) root.append(svg('rect', { x: 6, y, width: w, height: 2, rx: 1, class: 'lp-line' }));
    for (const [x, y] of smallCells) root.append(tile(x, y, 16, 9, 'lp-tile'));
  }
  return root;
}
