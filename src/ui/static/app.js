// Weft's service map: polls /api/mesh and /api/flows every 2 s and draws
// them. Plain DOM, no framework; every value is put in as text, never HTML.
'use strict';

const POLL_MS = 2000;
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = { FORWARDED: '#1a9e3f', DROPPED: '#d62728', REJECTED: '#ef8a17' };

/** Makes an element (SVG when ns is given): attrs as attributes, children as nodes or text. */
function el(tag, attrs = {}, children = [], ns) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, String(v));
  for (const c of [].concat(children)) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const svg = (tag, attrs, children) => el(tag, attrs, children, SVG);
const badge = (text, kind) => el('span', { class: `badge ${kind}` }, text);
const ago = (iso) => {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
};

/** ✔ in green or ✖ in red (text glyphs: no emoji font needed). */
const mark = (ok) => el('span', { class: ok ? 'ok' : 'bad' }, ok ? '✔' : '✖');

function renderStatus(mesh) {
  const st = mesh.status;
  const rows = st.remotes.map((r) =>
    el('tr', { 'data-remote': r.name, 'data-connected': r.connected && r.ready }, [
      el('td', {}, [mark(r.connected && r.ready), ` ${r.name}`]),
      el('td', {}, r.connected ? (r.ready ? 'connected, synced' : 'connected, syncing') : 'not connected'),
      el('td', {}, `${r.nodesConnected}/${r.nodesTotal} nodes`),
      el('td', {}, `last sync ${ago(r.lastSync)}`),
      el('td', { class: r.failures > 0 ? 'bad' : 'muted' }, r.failures > 0 ? `${r.failures} failures: ${r.lastFailure}` : 'no failures'),
    ]),
  );
  const head = el('p', {}, [
    mark(st.tls), ' mutual TLS · ', mark(st.ok), st.ok ? ' healthy' : ' problems', ` · global services: ${st.globalServices}`,
  ]);
  const table = rows.length > 0 ? el('table', { id: 'remotes' }, rows) : el('p', { class: 'muted' }, 'not connected to any cluster');
  const problems = st.problems.map((p) => el('div', { class: 'errors' }, `✖ ${p}`));
  document.getElementById('status').replaceChildren(head, table, ...problems);
}

function renderClusters(mesh) {
  const cards = mesh.clusters.map((c) =>
    el('div', { class: 'card', 'data-cluster': c.name }, [
      el('h3', {}, [c.name, ' ', el('span', { class: 'tag' }, `id ${c.id ?? '?'}${c.local ? ' · this cluster' : ' · remote'}`)]),
      el('ul', {}, c.nodes.length === 0 ? [el('li', { class: 'muted' }, 'no nodes known')] : c.nodes.map((n) =>
        el('li', { 'data-node': n.name, class: n.ready ? '' : 'notready' }, `${n.name} ${n.ip} ${n.podCIDR || '<pending>'}${n.ready ? '' : ' (not ready)'}`))),
    ]),
  );
  document.getElementById('clusters').replaceChildren(...cards);
}

function renderServices(mesh) {
  const rows = [];
  for (const s of mesh.services) {
    s.clusters.forEach((c, i) => {
      const name = i > 0 ? [] : [`${s.namespace}/${s.name}`,
        ...(s.global ? [badge('global', 'global')] : []),
        ...(s.global && s.shared ? [badge('shared', 'shared')] : []),
        ...(s.global && !s.shared ? [badge('not shared', 'shared')] : []),
        ...(s.affinity !== 'none' ? [badge(`affinity ${s.affinity}`, 'affinity')] : [])];
      const backends = c.backends.length === 0 ? 'no backends' : c.backends.map((b) => `${b.ip} (${b.node})${b.ready ? '' : ' not ready'}`).join(', ');
      rows.push(el('tr', { 'data-service': `${s.namespace}/${s.name}`, 'data-cluster': c.cluster, 'data-global': s.global, 'data-backends': c.backends.length }, [
        el('td', {}, name), el('td', {}, c.cluster), el('td', {}, c.clusterIP), el('td', {}, c.ports.join(', ')), el('td', {}, backends),
      ]));
    });
  }
  document.querySelector('#services tbody').replaceChildren(...rows);
}

/** Columns: one per cluster (mesh order, then any other), then peers known only by IP. */
function layout(graph, mesh) {
  const columns = mesh.clusters.map((c) => c.name);
  for (const n of graph.nodes) if (n.kind !== 'ip' && !columns.includes(n.cluster)) columns.push(n.cluster);
  if (graph.nodes.some((n) => n.kind === 'ip')) columns.push('other');
  const colOf = (n) => (n.kind === 'ip' ? 'other' : n.cluster);
  const width = Math.max(document.getElementById('map').clientWidth, 600);
  const colW = width / Math.max(columns.length, 1);
  const pos = new Map();
  let rowsMax = 1;
  columns.forEach((col, ci) => {
    const members = graph.nodes.filter((n) => colOf(n) === col);
    rowsMax = Math.max(rowsMax, members.length);
    members.forEach((n, ri) => pos.set(n.id, { x: ci * colW + colW / 2, y: 50 + ri * 56, col: ci }));
  });
  return { columns, colW, pos, height: 70 + rowsMax * 56 };
}

function edgePath(a, b, i) {
  const w = 70;
  if (a.col === b.col) {
    const x = a.x + w, bulge = 50 + (i % 3) * 12;
    return { d: `M${x},${a.y} C${x + bulge},${a.y} ${x + bulge},${b.y} ${x},${b.y}`, lx: x + bulge * 0.75, ly: (a.y + b.y) / 2 };
  }
  const dir = b.x > a.x ? 1 : -1;
  const x1 = a.x + dir * w, x2 = b.x - dir * w, mx = (x1 + x2) / 2;
  if (Math.abs(a.col - b.col) > 1) {
    // Over a column in between: swing below its boxes instead of through them.
    const low = Math.max(a.y, b.y) + 44 + (i % 3) * 10;
    return { d: `M${x1},${a.y} C${x1 + dir * 80},${low} ${x2 - dir * 80},${low} ${x2},${b.y}`, lx: mx, ly: low - 6 };
  }
  return { d: `M${x1},${a.y} C${mx},${a.y} ${mx},${b.y} ${x2},${b.y}`, lx: mx, ly: (a.y + b.y) / 2 - 4 };
}

function renderMap(flows, mesh) {
  const map = document.getElementById('map');
  const g = flows.graph;
  const { columns, colW, pos, height } = layout(g, mesh);
  map.setAttribute('height', String(height));
  map.style.height = `${height}px`;
  const defs = svg('defs', {}, Object.entries(COLORS).map(([v, color]) =>
    svg('marker', { id: `arrow-${v}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' }, [svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color })])));
  const parts = [defs];
  columns.forEach((col, ci) => {
    parts.push(svg('rect', { class: 'cluster-box', x: ci * colW + 8, y: 6, width: colW - 16, height: height - 12, rx: 8 }));
    parts.push(svg('text', { class: 'cluster-label', x: ci * colW + 18, y: 24 }, col === 'other' ? 'outside pods' : `cluster ${col}`));
  });
  g.edges.forEach((e, i) => {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) return;
    const p = edgePath(a, b, i);
    const counts = [e.counts.FORWARDED ? `✔${e.counts.FORWARDED}` : '', e.counts.DROPPED ? `✖${e.counts.DROPPED}` : '', e.counts.REJECTED ? `⊘${e.counts.REJECTED}` : ''].filter(Boolean).join(' ');
    const title = `${e.from} → ${e.to}\n${e.services.join(', ')} ${e.ports.join(', ')}\nforwarded ${e.counts.FORWARDED}, dropped ${e.counts.DROPPED}, rejected ${e.counts.REJECTED}; last ${e.lastSeen}`;
    parts.push(svg('path', { class: `edge ${e.verdict}`, d: p.d, 'marker-end': `url(#arrow-${e.verdict})`, 'data-from': e.from, 'data-to': e.to, 'data-verdict': e.verdict, stroke: COLORS[e.verdict] }, [svg('title', {}, title)]));
    parts.push(svg('text', { class: 'edge-label', x: p.lx, y: p.ly, 'text-anchor': 'middle', fill: COLORS[e.verdict] }, counts));
  });
  for (const n of g.nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    const sub = n.kind === 'workload' ? `${n.namespace} · ${n.pods.length} pod${n.pods.length === 1 ? '' : 's'}` : n.kind === 'service' ? `${n.namespace} · service` : n.cluster || 'no pod';
    parts.push(svg('g', { class: `wl ${n.kind}`, 'data-id': n.id }, [
      svg('title', {}, `${n.id}\n${n.pods.join('\n')}`),
      svg('rect', { x: p.x - 70, y: p.y - 20, width: 140, height: 40, rx: 6 }),
      svg('text', { x: p.x, y: p.y - 3, 'text-anchor': 'middle' }, n.name),
      svg('text', { class: 'sub', x: p.x, y: p.y + 12, 'text-anchor': 'middle' }, sub),
    ]));
  }
  if (g.nodes.length === 0) parts.push(svg('text', { x: 20, y: 50, class: 'cluster-label' }, 'no flows yet'));
  map.replaceChildren(...parts);
  document.getElementById('flow-summary').textContent = `${g.flows} flows · ${g.edges.length} edges · ${flows.agents.answered}/${flows.agents.asked} agents answered`;
  document.getElementById('flow-errors').replaceChildren(...flows.errors.map((e) => el('div', {}, e)));
}

function peerText(p) {
  return p.pod ? `${p.cluster ?? ''}/${p.namespace ?? ''}/${p.pod}` : p.ip;
}

function renderRecent(flows) {
  const rows = flows.recent.map((f) => el('tr', {}, [
    el('td', {}, f.time.slice(11, 19)),
    el('td', {}, peerText(f.source)),
    el('td', {}, `${peerText(f.destination)}:${f.destination.port ?? ''}/${f.protocol}`),
    el('td', {}, f.service ? `${f.service.namespace}/${f.service.name}` : ''),
    el('td', {}, el('span', { class: `verdict ${f.verdict}` }, f.verdict + (f.dropReason ? ` (${f.dropReason})` : ''))),
  ]));
  document.querySelector('#recent tbody').replaceChildren(...rows);
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

let lastMesh = null;
async function refresh() {
  const updated = document.getElementById('updated');
  try {
    const [mesh, flows] = await Promise.all([getJson('/api/mesh'), getJson('/api/flows')]);
    lastMesh = mesh;
    document.getElementById('context').textContent = mesh.cluster;
    renderStatus(mesh);
    renderClusters(mesh);
    renderServices(mesh);
    renderMap(flows, mesh);
    renderRecent(flows);
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    updated.className = '';
    document.body.dataset.loaded = 'true';
  } catch (err) {
    updated.textContent = `cannot refresh: ${err.message}${lastMesh ? ' (showing the last answer)' : ''}`;
    updated.className = 'bad';
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}

refresh();
