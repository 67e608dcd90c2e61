// The Hyphae dashboard: renders GET /api/status, /api/chain, /api/transfers and /api/routing every two
// seconds; switch buttons POST /api/select.
'use strict';

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function show(message, isError) {
  const m = document.getElementById('message');
  m.textContent = message;
  m.className = isError ? 'error' : '';
}

async function select(area, choice) {
  const response = await fetch('/api/select', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ area, choice })
  });
  const body = await response.json();
  if (response.ok) show(body.result, false); else show(`${response.status}: ${body.error}`, true);
  await refresh();
}

function render(status) {
  document.getElementById('peer-id').textContent = status.node.peerId || 'no host';
  document.getElementById('addresses').replaceChildren(...status.node.addresses.map(a => el('li', {}, a)));
  document.getElementById('peer-count').textContent = `(${status.peers.length})`;
  fill(document.querySelector('#peers tbody'), status.peers.map(p => el('tr', { 'data-peer': p.peerId },
    el('td', { class: 'mono' }, p.peerId), el('td', { class: 'mono' }, p.address), el('td', {}, p.transport),
    el('td', {}, p.direction), el('td', {}, p.streams),
    el('td', { class: 'latency' }, p.latencyMs === null ? (p.latencyError || '?') : `${p.latencyMs.toFixed(2)} ms`),
    el('td', {}, p.agent))));
  fill(document.querySelector('#topics tbody'), status.topics.map(t => el('tr', {},
    el('td', { class: 'mono' }, t.topic), el('td', {}, t.peers.length))));
  fill(document.querySelector('#areas tbody'), status.areas.map(a => {
    const impls = a.implementations.length === 0 ? [el('span', { class: 'state-IDLE' }, '(none installed)')]
      : a.implementations.map(i => el('div', {}, el('span', { class: `state-${i.state}` }, i.state), ' ', i.name,
        i.detail ? ` (${i.detail})` : ''));
    let switcher = '';
    if (a.selector && a.selector.choices) {
      switcher = el('span', {}, ...a.selector.choices.map(c => el('button', {
        class: c === a.selector.selected ? 'selected' : '', 'data-area': a.area, 'data-choice': c,
        onclick: () => select(a.area, c)
      }, c)));
    }
    return el('tr', { 'data-area': a.area }, el('td', {}, a.area), el('td', {}, ...impls), el('td', {}, switcher));
  }));
  document.getElementById('updated').textContent = new Date().toLocaleTimeString();
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

function short(text) {
  return text && text.length > 16 ? `${text.slice(0, 8)}…${text.slice(-6)}` : (text || '-');
}

function renderChain(chain) {
  const section = document.getElementById('chain-section');
  section.hidden = chain === null;
  if (chain === null) return;
  document.getElementById('chain-head').textContent = `${chain.chainId} · head #${chain.height} ${chain.head} · engine `
    + `${chain.engine}${chain.engineAvailable ? '' : ' (NOT INSTALLED)'} · ${chain.pending} pending · `
    + `${chain.peersInSync} of ${chain.peers} peers in sync`;
  fill(document.querySelector('#blocks tbody'), chain.recent.map(b => el('tr', { 'data-height': b.height },
    el('td', {}, `#${b.height}`), el('td', { class: 'mono', title: b.hash }, short(b.hash)),
    el('td', {}, new Date(b.time).toLocaleTimeString()), el('td', { class: 'mono', title: b.proposer || '' }, short(b.proposer)),
    el('td', {}, b.transactions))));
}

function renderTransfers(transfers) {
  document.getElementById('transfer-count').textContent = `(${transfers.length})`;
  fill(document.querySelector('#transfers tbody'), transfers.map(t => {
    const fraction = t.total > 0 ? Math.min(1, t.bytes / t.total) : null;
    const bar = el('progress', fraction === null ? {} : { value: fraction.toFixed(3), max: '1' });
    return el('tr', { 'data-root': t.root }, el('td', { class: 'mono' }, t.root),
      el('td', {}, bar, fraction === null ? ' ?' : ` ${(100 * fraction).toFixed(0)}%`),
      el('td', {}, t.total >= 0 ? `${size(t.bytes)} / ${size(t.total)}` : size(t.bytes)),
      el('td', {}, t.seconds > 0 ? `${size(Math.round(t.bytes / t.seconds))}/s` : '-'), el('td', {}, `${t.seconds.toFixed(0)} s`));
  }));
}

function renderRouting(routing) {
  document.getElementById('routing-summary').textContent = routing.mode === null ? '(no DHT)'
    : `(${routing.size} peers, ${routing.buckets.length} buckets, k=${routing.bucketSize}, ${routing.mode} mode)`;
  fill(document.querySelector('#routing tbody'), routing.buckets.map(b => el('tr', { 'data-bucket': b.index },
    el('td', {}, b.index), el('td', {}, ...b.peers.map(p => el('div', { class: 'mono', 'data-peer': p.peerId },
      p.peerId, ' ', el('span', { class: 'addresses' }, p.addresses.join(' '))))))));
}

async function getJson(path, absentOn404) {
  const response = await fetch(path);
  if (absentOn404 && response.status === 404) return null;
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(`${path}: HTTP ${response.status}${body.error ? ` (${body.error})` : ''}`);
  }
  return response.json();
}

async function refresh() {
  try {
    const [status, chain, transfers, routing] = await Promise.all([getJson('/api/status'),
      getJson('/api/chain?blocks=10', true), getJson('/api/transfers'), getJson('/api/routing')]);
    render(status);
    renderChain(chain);
    renderTransfers(transfers);
    renderRouting(routing);
  } catch (e) {
    show(`cannot reach the node: ${e.message}`, true);
  }
}

refresh();
setInterval(refresh, 2000);
