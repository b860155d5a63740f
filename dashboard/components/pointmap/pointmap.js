// embedlab point map (see index.html).  The Streamlit component protocol, by hand:
//   parent → iframe  {type: "streamlit:render", args}        on every script run
//   iframe → parent  streamlit:componentReady / setFrameHeight / setComponentValue
// args: data_id (a new id resets the view), blob (bytes: n×2 uint16 x,y · n group ids of
// group_bytes each · the keys as UTF-8, "\n"-joined, then, when named, the n names the same way),
// n, group_bytes, bounds [x0,y0,x1,y1], named, palette, labels [[x, y, text]],
// marks [{name, color, x, y, text, hover?, lines}], legend [[colour, text, count]],
// view {x, y, zoom} or null (applied when the data is new: a link's view), height, caption, filename.
// Value sent back: {point: i, nonce} (i in the points' order) or {mark, item, nonce} on a click,
// always with view {x, y, zoom} (the centre in data coordinates, zoom relative to the whole map),
// sent again shortly after each pan or zoom so the page can keep the view in its URL.
"use strict";

const canvas = document.getElementById("map");
const ctx = canvas.getContext("2d");
const tip = document.getElementById("tip");
const statusLine = document.getElementById("status");
const state = {
  id: null, n: 0, xs: null, ys: null, groups: null, keys: [], names: [], bounds: [0, 0, 1, 1],
  palette: [[76, 120, 168]], labels: [], marks: [], legend: [], caption: "", filename: "embedlab-map", height: 640,
  click: {},
  view: null, fit: 1, grid: null, frames: 0, drawn: 0, pending: false, inputAt: 0, nonce: 0,
};
// What the map has drawn, for tests and benchmarks (read-only for them): frames drawn, points in the
// last frame, the labels it wrote, the text under the pointer, and where a key is on screen.
window.__pointmap = {frames: 0, drawn: 0, n: 0, lastFrameMs: 0, lastLatencyMs: 0, labels: [], hover: "",
                     locate: locate};

function locate(key) {  // a key's position in this frame's CSS pixels, or null
  const i = state.keys.indexOf(key);
  if (i < 0) return null;
  const [px, py] = toScreen(state.xs[i], state.ys[i]);
  const rect = canvas.getBoundingClientRect(), k = rect.width / canvas.width;
  return [rect.left + px * k, rect.top + py * k];
}

function send(type, data) {
  window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data), "*");
}

function hexRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// ---- data ---------------------------------------------------------------------------------

function decode(args) {
  const n = args.n, gb = args.group_bytes, raw = args.blob;
  const bytes = raw.slice();  // an aligned copy of our part of the message
  const q = new Uint16Array(bytes.buffer, 0, 2 * n);
  const [x0, y0, x1, y1] = args.bounds;
  const sx = (x1 - x0) / 65535, sy = (y1 - y0) / 65535;
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) { xs[i] = x0 + q[2 * i] * sx; ys[i] = y0 + q[2 * i + 1] * sy; }
  const gOff = 4 * n;
  const groups = gb === 2 ? new Uint16Array(bytes.buffer.slice(gOff, gOff + 2 * n)) : bytes.subarray(gOff, gOff + n);
  const lines = new TextDecoder("utf-8").decode(bytes.subarray(gOff + gb * n)).split("\n");
  const keys = lines.slice(0, n), names = args.named ? lines.slice(n, 2 * n) : keys;
  Object.assign(state, {n: n, xs: xs, ys: ys, groups: groups, keys: keys, names: names, bounds: args.bounds});
  state.grid = buildGrid(xs, ys, n, args.bounds);
}

function buildGrid(xs, ys, n, b) {
  // a uniform grid over the data: ~4 points per cell, items sorted by cell (counting sort)
  const g = Math.max(1, Math.ceil(Math.sqrt(n / 4)));
  const w = (b[2] - b[0]) || 1, h = (b[3] - b[1]) || 1;
  const cellOf = new Int32Array(n), start = new Int32Array(g * g + 1);
  for (let i = 0; i < n; i++) {
    const cx = Math.min(g - 1, Math.floor((xs[i] - b[0]) / w * g)), cy = Math.min(g - 1, Math.floor((ys[i] - b[1]) / h * g));
    const c = cy * g + cx;
    cellOf[i] = c;
    start[c + 1]++;
  }
  for (let c = 0; c < g * g; c++) start[c + 1] += start[c];
  const fill = start.slice(0, g * g), items = new Int32Array(n);
  for (let i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
  return {g: g, start: start, items: items, x0: b[0], y0: b[1], cw: w / g, ch: h / g};
}

// ---- view ---------------------------------------------------------------------------------

function fitView() {
  const [x0, y0, x1, y1] = state.bounds;
  const W = canvas.width, H = canvas.height;
  const scale = 0.94 * Math.min(W / ((x1 - x0) || 1), H / ((y1 - y0) || 1));
  state.fit = scale;
  return {cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, scale: scale};
}

function toScreen(x, y) {
  const v = state.view;
  return [(x - v.cx) * v.scale + canvas.width / 2, canvas.height / 2 - (y - v.cy) * v.scale];
}

function toData(px, py) {
  const v = state.view;
  return [(px - canvas.width / 2) / v.scale + v.cx, v.cy - (py - canvas.height / 2) / v.scale];
}

function saveView() {
  try { sessionStorage.setItem("pointmap:" + state.id, JSON.stringify(state.view)); } catch (e) { /* private mode */ }
}

function restoreView() {
  try {
    const v = JSON.parse(sessionStorage.getItem("pointmap:" + state.id) || "null");
    if (v && isFinite(v.cx) && isFinite(v.cy) && v.scale > 0) return v;
  } catch (e) { /* ignore */ }
  return null;
}

function linkedView(v) {  // a view from the page's URL ({x, y, zoom}), or null
  if (!v || !isFinite(v.x) || !isFinite(v.y) || !(v.zoom > 0)) return null;
  return {cx: v.x, cy: v.y, scale: state.fit * Math.min(64, Math.max(0.5, v.zoom))};
}

function viewValue() {  // the view as the page keeps it: independent of the canvas size
  const v = state.view;
  return {x: v.cx, y: v.cy, zoom: v.scale / state.fit};
}

let viewTimer = 0;

function viewChanged() {  // tell the page where the reader is, once they pause
  saveView();
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => sendValue(state.click), 700);
}

function sendValue(click) {
  state.click = click;
  send("streamlit:setComponentValue", {value: Object.assign({view: viewValue()}, click), dataType: "json"});
}

function request(inputAt) {
  if (inputAt && !state.inputAt) state.inputAt = inputAt;
  if (state.pending) return;
  state.pending = true;
  requestAnimationFrame(draw);
}

// ---- drawing ------------------------------------------------------------------------------

let buffers = null;

function draw() {
  state.pending = false;
  if (!state.xs) return;
  const t0 = performance.now();
  const W = canvas.width, H = canvas.height, n = state.n;
  if (!buffers || buffers.W !== W || buffers.H !== H) {
    const D = 4, dw = Math.ceil(W / D), dh = Math.ceil(H / D);
    buffers = {W: W, H: H, D: D, dw: dw, dh: dh, counts: new Uint16Array(W * H), top: new Uint16Array(W * H),
               dens: new Uint32Array(dw * dh), image: ctx.createImageData(W, H)};
  }
  const {counts, top, dens, D, dw, image} = buffers;
  counts.fill(0);
  dens.fill(0);
  const v = state.view, xs = state.xs, ys = state.ys, groups = state.groups;
  const s = v.scale, ox = W / 2 - v.cx * s, oy = H / 2 + v.cy * s;
  const zoom = s / state.fit;
  // point radius in pixels: grows as fewer points share the view (about n / zoom² of them)
  const inView = n / Math.max(1, zoom * zoom);
  const r = inView > 40000 ? 0 : inView > 4000 ? 1 : inView > 500 ? 2 : 3;
  let drawn = 0;
  // last row first, so the first rows (the most frequent keys) end up on top
  for (let i = n - 1; i >= 0; i--) {
    const px = (xs[i] * s + ox) | 0, py = (oy - ys[i] * s) | 0;
    if (px < 0 || py < 0 || px >= W || py >= H) continue;
    drawn++;
    dens[((py / D) | 0) * dw + ((px / D) | 0)]++;
    const g = groups[i] + 1;
    if (r === 0) {
      const p = py * W + px;
      counts[p]++;
      top[p] = g;
    } else {
      for (let dy = -r; dy <= r; dy++) {
        const yy = py + dy;
        if (yy < 0 || yy >= H) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = px + dx;
          if (xx < 0 || xx >= W) continue;
          const p = yy * W + xx;
          counts[p]++;
          top[p] = g;
        }
      }
    }
  }
  composite(image, counts, top, dens, W, H, D, dw);
  ctx.putImageData(image, 0, 0);
  const shown = overlay(zoom);
  const now = performance.now();
  state.frames++;
  state.drawn = drawn;
  const latency = state.inputAt ? now - state.inputAt : 0;
  state.inputAt = 0;
  Object.assign(window.__pointmap, {frames: state.frames, drawn: drawn, n: n, lastFrameMs: now - t0,
                                    lastLatencyMs: latency, labels: shown, view: Object.assign({}, v), fit: state.fit,
                                    marked: state.marks.flatMap((m) => m.text)});
  document.body.dataset.frames = String(state.frames);
  document.body.dataset.drawn = String(drawn);
  statusLine.textContent = `${drawn.toLocaleString("en")} of ${n.toLocaleString("en")} points in view · ` +
                           `zoom ${zoom.toFixed(1)}× · drawn in ${(now - t0).toFixed(0)} ms`;
}

function composite(image, counts, top, dens, W, H, D, dw) {
  const out = new Uint32Array(image.data.buffer);
  let maxDens = 1;
  for (let c = 0; c < dens.length; c++) if (dens[c] > maxDens) maxDens = dens[c];
  const logMax = Math.log1p(maxDens);
  const pal = state.palette, np = pal.length;
  // density shading: a light blue wash, stronger where more points fall in a 4×4-pixel cell
  const shade = new Uint32Array(dens.length);
  for (let c = 0; c < dens.length; c++) {
    if (dens[c] === 0) { shade[c] = 0xffffffff; continue; }
    const a = 0.08 + 0.4 * Math.log1p(dens[c]) / logMax;
    const R = 255 - a * (255 - 40), G = 255 - a * (255 - 60), B = 255 - a * (255 - 110);
    shade[c] = (255 << 24) | ((B & 255) << 16) | ((G & 255) << 8) | (R & 255);
  }
  for (let y = 0; y < H; y++) {
    const row = ((y / D) | 0) * dw, base = y * W;
    for (let x = 0; x < W; x++) {
      const p = base + x, bg = shade[row + ((x / D) | 0)], k = counts[p];
      if (k === 0) { out[p] = bg; continue; }
      const col = pal[(top[p] - 1) % np], a = k >= 3 ? 0.95 : k === 2 ? 0.8 : 0.6;
      const bR = bg & 255, bG = (bg >> 8) & 255, bB = (bg >> 16) & 255;
      const R = bR + a * (col[0] - bR), G = bG + a * (col[1] - bG), B = bB + a * (col[2] - bB);
      out[p] = (255 << 24) | ((B & 255) << 16) | ((G & 255) << 8) | (R & 255);
    }
  }
}

function boxFree(boxes, b) {
  for (const o of boxes) if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return false;
  return true;
}

function label(boxes, text, px, py, font, force) {
  ctx.font = font;
  const w = ctx.measureText(text).width + 6, h = 16;
  if (px < 0 || py < 0 || px > canvas.width || py > canvas.height) return false;
  // a label that sticks out of the canvas moves inside it
  const x0 = Math.min(Math.max(px - w / 2, 0), canvas.width - w), y0 = Math.min(Math.max(py - h / 2, 0), canvas.height - h);
  const b = [x0, y0, x0 + w, y0 + h];
  px = x0 + w / 2;
  py = y0 + h / 2;
  if (!force && !boxFree(boxes, b)) return false;
  boxes.push(b);
  ctx.fillStyle = "rgba(255,255,255,0.75)";
  ctx.fillRect(b[0], b[1], w, h);
  ctx.fillStyle = "#111";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, px, py + 1);
  return true;
}

function overlay(zoom) {
  const boxes = [], shown = [];
  ctx.save();
  drawLegend(boxes);
  const dots = state.marks.map((m) => drawMark(m));
  // marks' labels keep off every mark's dot; region labels only off other labels (as before)
  const dotBoxes = dots.flatMap((pts) => pts.map(([px, py]) => [px - 5, py - 5, px + 5, py + 5]));
  state.marks.forEach((m, i) => markLabels(m, dots[i], boxes, dotBoxes, shown));
  for (const [x, y, text] of state.labels) {  // region labels
    const [px, py] = toScreen(x, y);
    if (text && label(boxes, text, px, py, "600 12px sans-serif", false)) shown.push(text);
  }
  if (zoom >= 3) keyLabels(boxes, shown);
  ctx.restore();
  return shown;
}

function drawLegend(boxes) {
  // what the colours mean, top left (entries of no point left out); drawn into the PNG too
  const entries = state.legend.filter((e) => e[2] > 0);
  if (!entries.length) return;
  ctx.font = "12px sans-serif";
  const texts = entries.map((e) => `${e[1]} (${Number(e[2]).toLocaleString("en")})`);
  const w = Math.max(...texts.map((t) => ctx.measureText(t).width)) + 30, h = 18 * entries.length + 8;
  ctx.fillStyle = "rgba(255,255,255,0.88)";
  ctx.fillRect(6, 6, w, h);
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  entries.forEach((e, i) => {
    const y = 10 + 18 * i;
    ctx.fillStyle = e[0];
    ctx.fillRect(12, y + 3, 11, 11);
    ctx.fillStyle = "#111";
    ctx.fillText(texts[i], 29, y + 9);
  });
  boxes.push([6, 6, 6 + w, 6 + h]);
}

function keyLabels(boxes, shown) {
  // zoomed in: name the first (most frequent) keys in view where there is room
  const W = canvas.width, H = canvas.height, xs = state.xs, ys = state.ys;
  let tried = 0;
  for (let i = 0; i < state.n && tried < 400 && shown.length < 80; i++) {
    const [px, py] = toScreen(xs[i], ys[i]);
    if (px < 0 || py < 0 || px >= W || py >= H) continue;
    tried++;
    const name = short(state.names[i]);
    if (label(boxes, name, px, py - 10, "11px sans-serif", false)) shown.push(name);
  }
}

function short(text) {  // a title cut at a word to at most 28 characters
  if (text.length <= 28) return text;
  const cut = text.slice(0, 27), space = cut.lastIndexOf(" ");
  return (space >= 14 ? cut.slice(0, space) : cut).replace(/[ ,;:·-]+$/, "") + "…";
}

function hoverText(i) {  // "Star Wars (1977) · 50": the name, and the key when it differs
  return state.names[i] === state.keys[i] ? state.keys[i] : `${state.names[i]} · ${state.keys[i]}`;
}

function drawMark(m) {
  // lines from the mark's first point, dots with a dark rim; returns the dots' screen positions
  const pts = m.x.map((x, j) => toScreen(x, m.y[j]));
  ctx.strokeStyle = m.color;
  ctx.lineWidth = 1.2;
  if (m.lines && pts.length > 1) {
    ctx.beginPath();
    for (let j = 1; j < pts.length; j++) { ctx.moveTo(pts[0][0], pts[0][1]); ctx.lineTo(pts[j][0], pts[j][1]); }
    ctx.stroke();
  }
  for (const [px, py] of pts) {
    ctx.beginPath();
    ctx.arc(px, py, 4.5, 0, 2 * Math.PI);
    ctx.fillStyle = m.color;
    ctx.fill();
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  return pts;
}

// where a mark's label may go around its dot, in order (dx, dy of the box centre; y down), and
// how much farther out when those places are taken (then a thin line leads to the dot): the same
// rule as core/labelplace.py, which the server-side PNG uses
const AROUND = [[0, -1], [0, 1], [1, 0], [-1, 0], [1, -1], [-1, -1], [1, 1], [-1, 1]];
const RINGS = [0, 24, 48, 72, 96];
const MARK_FONT = "600 12px sans-serif";

function markLabels(m, pts, boxes, dotBoxes, shown) {
  if (pts.length > 30) return;
  pts.forEach(([px, py], j) => {
    if (px < 0 || py < 0 || px > canvas.width || py > canvas.height) return;
    if (labelNear(boxes, dotBoxes, m.text[j], px, py) || (j === 0 && label(boxes, m.text[j], px, py - 12, MARK_FONT, true))) {
      shown.push(m.text[j]);
    }
  });
}

function labelNear(boxes, dotBoxes, text, px, py) {
  // the first place around (px, py) where the label covers no label, dot or legend
  ctx.font = MARK_FONT;
  const w = ctx.measureText(text).width + 6, h = 16;
  for (const ring of RINGS) {
    for (const [dx, dy] of AROUND) {
      const far = 6 + 4.5 / 2 + ring;
      const cx = px + dx * (w / 2 + far), cy = py + dy * (h / 2 + far);
      const b = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
      if (b[0] < 0 || b[1] < 0 || b[2] > canvas.width || b[3] > canvas.height || !boxFree(boxes, b) || !boxFree(dotBoxes, b)) continue;
      if (ring > 0) {
        ctx.strokeStyle = "#555";
        ctx.lineWidth = 0.8;
        ctx.beginPath();
        ctx.moveTo(cx, cy);
        ctx.lineTo(px, py);
        ctx.stroke();
      }
      boxes.push(b);
      ctx.fillStyle = "rgba(255,255,255,0.75)";
      ctx.fillRect(b[0], b[1], w, h);
      ctx.fillStyle = "#111";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(text, cx, cy + 1);
      return true;
    }
  }
  return false;
}

// ---- hit testing --------------------------------------------------------------------------

function nearestPoint(px, py, radius) {
  const grid = state.grid;
  if (!grid) return -1;
  const [x, y] = toData(px, py);
  const rd = radius / state.view.scale;
  const c0 = Math.max(0, Math.floor((x - rd - grid.x0) / grid.cw)), c1 = Math.min(grid.g - 1, Math.floor((x + rd - grid.x0) / grid.cw));
  const r0 = Math.max(0, Math.floor((y - rd - grid.y0) / grid.ch)), r1 = Math.min(grid.g - 1, Math.floor((y + rd - grid.y0) / grid.ch));
  let best = -1, bestD = rd * rd;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * grid.g + c;
      for (let k = grid.start[cell]; k < grid.start[cell + 1]; k++) {
        const i = grid.items[k], dx = state.xs[i] - x, dy = state.ys[i] - y, d = dx * dx + dy * dy;
        if (d < bestD || (d === bestD && i < best)) { bestD = d; best = i; }
      }
    }
  }
  return best;
}

function nearestMark(px, py, radius) {
  let best = null, bestD = radius * radius;
  state.marks.forEach((m, mi) => m.x.forEach((x, j) => {
    const [sx, sy] = toScreen(x, m.y[j]), d = (sx - px) ** 2 + (sy - py) ** 2;
    if (d <= bestD) { bestD = d; best = [mi, j]; }
  }));
  return best;
}

function pointerAt(ev) {
  const rect = canvas.getBoundingClientRect(), k = canvas.width / rect.width;
  return [(ev.clientX - rect.left) * k, (ev.clientY - rect.top) * k];
}

function showTip(ev) {
  const [px, py] = pointerAt(ev);
  const mark = nearestMark(px, py, 7);
  let text = "";
  if (mark) {
    const m = state.marks[mark[0]];
    text = (m.hover || m.text)[mark[1]];
  } else {
    const i = nearestPoint(px, py, 6);
    if (i >= 0) text = hoverText(i);
  }
  window.__pointmap.hover = text;
  if (!text) { tip.style.display = "none"; return; }
  tip.textContent = text;  // never innerHTML: keys are user text
  tip.style.display = "block";
  const rect = canvas.getBoundingClientRect();
  tip.style.left = `${ev.clientX - rect.left + 12}px`;
  tip.style.top = `${ev.clientY - rect.top + 12}px`;
}

// ---- input --------------------------------------------------------------------------------

let drag = null;

canvas.addEventListener("pointerdown", (ev) => {
  drag = {x: ev.clientX, y: ev.clientY, cx: state.view.cx, cy: state.view.cy, moved: false};
  canvas.setPointerCapture(ev.pointerId);
});

canvas.addEventListener("pointermove", (ev) => {
  if (!drag) { showTip(ev); return; }
  const k = canvas.width / canvas.getBoundingClientRect().width;
  const dx = (ev.clientX - drag.x) * k, dy = (ev.clientY - drag.y) * k;
  if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
  drag.moved = true;
  canvas.classList.add("dragging");
  tip.style.display = "none";
  state.view.cx = drag.cx - dx / state.view.scale;
  state.view.cy = drag.cy + dy / state.view.scale;
  request(performance.now());
});

canvas.addEventListener("pointerup", (ev) => {
  const was = drag;
  drag = null;
  canvas.classList.remove("dragging");
  if (!was) return;
  if (was.moved) { viewChanged(); return; }
  click(ev);
});

canvas.addEventListener("pointerleave", () => { tip.style.display = "none"; });

canvas.addEventListener("wheel", (ev) => {
  ev.preventDefault();
  const [px, py] = pointerAt(ev);
  const [x, y] = toData(px, py);
  const factor = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015));
  const v = state.view;
  // at most 64×: positions travel as 16-bit steps of the span, still under a pixel apart there
  v.scale = Math.min(state.fit * 64, Math.max(state.fit * 0.5, v.scale * factor));
  // keep the data point under the pointer where it is
  v.cx = x - (px - canvas.width / 2) / v.scale;
  v.cy = y + (py - canvas.height / 2) / v.scale;
  viewChanged();
  request(performance.now());
}, {passive: false});

function click(ev) {
  const [px, py] = pointerAt(ev);
  const mark = nearestMark(px, py, 7);
  state.nonce = Date.now();
  if (mark) { sendValue({mark: mark[0], item: mark[1], nonce: state.nonce}); return; }
  const i = nearestPoint(px, py, 6);
  if (i >= 0) sendValue({point: i, nonce: state.nonce});
}

document.getElementById("reset").addEventListener("click", () => { state.view = fitView(); viewChanged(); request(performance.now()); });

document.getElementById("png").addEventListener("click", () => {
  // the view as drawn (labels, marks, legend), with the whole caption wrapped under it
  const out = document.createElement("canvas");
  const c = out.getContext("2d");
  c.font = "12px sans-serif";
  const lines = wrap(c, state.caption, canvas.width - 12);
  out.width = canvas.width;
  out.height = canvas.height + (lines.length ? 16 * lines.length + 8 : 0);
  c.fillStyle = "#fff";
  c.fillRect(0, 0, out.width, out.height);
  c.drawImage(canvas, 0, 0);
  c.fillStyle = "#444";
  c.font = "12px sans-serif";
  c.textBaseline = "middle";
  lines.forEach((line, i) => c.fillText(line, 6, canvas.height + 12 + 16 * i));
  const a = document.createElement("a");
  a.href = out.toDataURL("image/png");
  a.download = `${state.filename}.png`;
  document.body.appendChild(a);
  a.click();
  a.remove();
});

function wrap(c, text, width) {  // lines no wider than width, broken at spaces
  const lines = [];
  let line = "";
  for (const word of (text || "").split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (!line || c.measureText(next).width <= width) { line = next; continue; }
    lines.push(line);
    line = word;
  }
  if (line) lines.push(line);
  return lines;
}

// ---- Streamlit --------------------------------------------------------------------------------

function resize() {
  const W = Math.max(200, Math.floor(document.body.clientWidth)), H = state.height;
  if (canvas.width === W && canvas.height === H) return false;
  const old = state.view ? state.fit : 0;
  canvas.width = W;
  canvas.height = H;
  canvas.style.width = `${W}px`;
  canvas.style.height = `${H}px`;
  if (state.xs) {
    const fresh = fitView();
    if (!state.view) state.view = fresh;
    else if (old) state.view.scale *= state.fit / old;
  }
  return true;
}

let lastArgs = "";

function render(args) {
  // Streamlit re-sends unchanged arguments (e.g. after the frame height is set): nothing to redraw
  const signature = JSON.stringify([args.data_id, args.height, args.palette, args.labels, args.marks, args.legend,
                                    args.caption]);
  if (signature === lastArgs && state.xs) return;
  lastArgs = signature;
  state.height = args.height || 640;
  state.palette = (args.palette || ["#4C78A8"]).map(hexRgb);
  state.labels = args.labels || [];
  state.marks = args.marks || [];
  state.legend = args.legend || [];
  state.caption = args.caption || "";
  state.filename = args.filename || "embedlab-map";
  send("streamlit:setFrameHeight", {height: state.height + 34});
  if (args.data_id !== state.id) {
    decode(args);
    state.id = args.data_id;
    resize();
    const whole = fitView();  // also sets state.fit for this canvas
    state.view = linkedView(args.view) || restoreView() || whole;
  }
  resize();
  request(0);
}

window.addEventListener("message", (ev) => {
  const d = ev.data;
  if (d && d.type === "streamlit:render") render(d.args);
});
window.addEventListener("resize", () => { if (resize()) request(0); });
send("streamlit:componentReady", {apiVersion: 1});
