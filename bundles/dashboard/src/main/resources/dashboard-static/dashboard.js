// The Hyphae dashboard: renders GET /api/status every two seconds; switch buttons POST /api/select.
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

async function refresh() {
  try {
    const response = await fetch('/api/status');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (e) {
    show(`cannot reach the node: ${e.message}`, true);
  }
}

refresh();
setInterval(refresh, 2000);
