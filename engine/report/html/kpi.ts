import { changeTone, type KpiCard } from '../../outputs.js';
import { attr, escapeHtml } from '../../text/escape.js';

const ARROWS = { up: '▲', down: '▼', flat: '●' } as const;

/** KPI cards in a responsive grid: label, headline value, change against the previous value. */
export function renderKpiCards(cards: readonly KpiCard[]): string {
  if (!cards.length) return '<p class="muted no-output">No values</p>';
  const items = cards.map((card) => {
    const change = card.change
      ? `<p${attr('class', `kpi-change kpi-${card.change.direction} kpi-${changeTone(card.change.direction, card.good)}`)}><span class="kpi-arrow" aria-hidden="true">${ARROWS[card.change.direction]}</span> ${escapeHtml(card.change.text)} <span class="kpi-against">${escapeHtml(card.change.against)}</span></p>`
      : '';
    return `<div class="kpi"><p class="kpi-label">${escapeHtml(card.label)}</p><p class="kpi-value">${escapeHtml(card.text)}</p>${change}</div>`;
  });
  return `<div class="kpis">\n${items.join('\n')}\n</div>`;
}
