/** The live progress panel of a run: one line per cell, updated by app.js from the run's event stream (SSE). */
import { html } from 'hono/html';
import type { Html } from './layout.js';
import { badge } from './layout.js';

export function progressPanel(run: { id: string; status: string }, cells: { id: string; title: string | null; state?: string }[]): Html {
  return html`<div class="card progress" data-progress data-run="${run.id}" data-events="/api/v1/runs/${run.id}/events">
  <div class="actions"><strong>Run <a href="/runs/${run.id}">${run.id}</a></strong> <span data-run-status>${badge(run.status)}</span></div>
  <ol class="dag">
    ${cells.map((cell) => html`<li data-cell="${cell.id}" data-state="${cell.state ?? 'waiting'}"><span class="state">${cell.state ?? 'waiting'}</span> <code>${cell.id}</code> <span class="muted">${cell.title ?? ''}</span> <span class="muted" data-cell-detail></span></li>`)}
  </ol>
  <p data-run-done hidden><a class="button" href="/runs/${run.id}">Open the report</a></p>
</div>`;
}
