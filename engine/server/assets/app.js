// Quire's client script (the CSP allows no inline script): run forms answered in place (field
// errors from the 422, or live progress of the started run over Server-Sent Events).
'use strict';

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

function setBadge(el, status) {
  if (!el) return;
  el.innerHTML = '';
  const b = document.createElement('span');
  b.className = `badge badge-${status}`;
  b.dataset.status = status;
  b.textContent = status;
  el.appendChild(b);
}

/** Follows a run's events: each cell's state, then the run's end (a run page reloads to show its report). */
function follow(panel) {
  const url = panel.dataset.events;
  if (!url || panel.dataset.following) return;
  panel.dataset.following = '1';
  // A panel turned to another run (Run pressed while one was shown) stops following the first.
  panel.quireEvents?.close();
  const source = new EventSource(url);
  panel.quireEvents = source;
  const cell = (id) => panel.querySelector(`[data-cell="${CSS.escape(id)}"]`);
  const setState = (li, state, detail) => {
    if (!li) return;
    li.dataset.state = state;
    li.querySelector('.state').textContent = state;
    if (detail !== undefined) li.querySelector('[data-cell-detail]').textContent = detail;
  };
  source.addEventListener('queued', () => setBadge(panel.querySelector('[data-run-status]'), 'queued'));
  source.addEventListener('started', () => setBadge(panel.querySelector('[data-run-status]'), 'running'));
  source.addEventListener('cell-started', (e) => setState(cell(JSON.parse(e.data).cell), 'running'));
  source.addEventListener('cell-finished', (e) => {
    const d = JSON.parse(e.data);
    const bits = [d.duration_ms === null ? null : `${d.duration_ms} ms`, d.rows === null ? null : `${d.rows.toLocaleString('en-US')} row${d.rows === 1 ? '' : 's'}`, d.cache_hit ? 'cache' : null, d.error].filter(Boolean);
    setState(cell(d.cell), d.status, bits.join(' · '));
  });
  source.addEventListener('finished', (e) => {
    const d = JSON.parse(e.data);
    source.close();
    setBadge(panel.querySelector('[data-run-status]'), d.status);
    for (const b of document.querySelectorAll('[data-run-status]')) setBadge(b, d.status);
    const done = panel.querySelector('[data-run-done]');
    if (done) done.hidden = false;
    if (location.pathname === `/runs/${panel.dataset.run}`) setTimeout(() => location.reload(), 300);
  });
}

function showErrors(form, problem) {
  for (const el of form.querySelectorAll('[data-error-for]')) el.textContent = '';
  for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
  const general = form.querySelector('.form-error');
  const rest = [];
  for (const e of problem.errors ?? [{ field: null, message: problem.detail }]) {
    const slot = e.field && form.querySelector(`[data-error-for="${CSS.escape(e.field)}"]`);
    if (slot) {
      slot.textContent = e.hint ? `${e.message} — ${e.hint}` : e.message;
      slot.closest('.field')?.classList.add('invalid');
    } else rest.push(e.message);
  }
  if (general) {
    general.textContent = rest.join('\n');
    general.hidden = rest.length === 0;
  }
}

for (const form of document.querySelectorAll('form[data-run-form]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-csrf-token': csrf() },
        body: new URLSearchParams(new FormData(form)),
      });
      const body = await res.json();
      if (res.status !== 202) {
        showErrors(form, body);
        return;
      }
      showErrors(form, { errors: [] });
      const slot = document.querySelector('[data-progress-slot]');
      const panel = slot?.querySelector('[data-progress]');
      if (!panel) {
        location.href = body.url;
        return;
      }
      panel.dataset.run = body.id;
      panel.dataset.events = body.events;
      delete panel.dataset.following;
      const link = panel.querySelector('strong a');
      link.href = body.url;
      link.textContent = body.id;
      panel.querySelector('[data-run-done] a').href = body.url;
      panel.querySelector('[data-run-done]').hidden = true;
      for (const li of panel.querySelectorAll('[data-cell]')) {
        li.dataset.state = 'waiting';
        li.querySelector('.state').textContent = 'waiting';
        li.querySelector('[data-cell-detail]').textContent = '';
      }
      setBadge(panel.querySelector('[data-run-status]'), body.status);
      slot.hidden = false;
      follow(panel);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// A run going on when the page was made (a run page, or a notebook's run started elsewhere) is followed at once.
for (const panel of document.querySelectorAll('[data-progress]')) {
  if (panel.dataset.run && !panel.closest('[data-progress-slot][hidden]')) follow(panel);
}

// The login page's "Show the token": a pasted token can be checked before it is sent.
for (const box of document.querySelectorAll('[data-show-token]')) {
  const input = box.closest('form')?.querySelector('input.token');
  if (input) box.addEventListener('change', () => {
    input.type = box.checked ? 'text' : 'password';
  });
}
