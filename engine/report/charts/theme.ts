/** Vega-Lite configuration of Quire's light and dark themes: calm axes, one palette, the report's font. */
export type Theme = 'light' | 'dark';

export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif';

/** Ten distinct colours that read on white and on the dark background alike. */
export const PALETTE = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0'];

/** The natural size of a chart; the HTML scales it to the page width, the PDF to the print width. */
export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 260;

interface Colours {
  text: string;
  muted: string;
  grid: string;
  domain: string;
  background: string;
}

const COLOURS: Record<Theme, Colours> = {
  light: { text: '#1d2433', muted: '#667085', grid: '#eaecf0', domain: '#98a2b3', background: '#ffffff' },
  dark: { text: '#e4e7ec', muted: '#98a2b3', grid: '#2c3340', domain: '#667085', background: '#161b24' },
};

export function chartBackground(theme: Theme): string {
  return COLOURS[theme].background;
}

export function vegaLiteConfig(theme: Theme): Record<string, unknown> {
  const c = COLOURS[theme];
  const axis = {
    labelColor: c.muted,
    titleColor: c.text,
    labelFont: CHART_FONT,
    titleFont: CHART_FONT,
    labelFontSize: 11,
    titleFontSize: 11.5,
    titleFontWeight: 600,
    gridColor: c.grid,
    domainColor: c.domain,
    tickColor: c.domain,
    labelPadding: 4,
    titlePadding: 8,
  };
  return {
    background: c.background,
    font: CHART_FONT,
    padding: { left: 4, right: 12, top: 8, bottom: 4 },
    view: { stroke: null },
    axis,
    axisX: { grid: false, labelAngle: 0, labelOverlap: true, labelFlush: true },
    axisY: { domain: false, ticks: false, gridDash: [2, 3] },
    axisBand: { grid: false },
    legend: {
      labelColor: c.muted,
      titleColor: c.text,
      labelFont: CHART_FONT,
      titleFont: CHART_FONT,
      labelFontSize: 11,
      titleFontSize: 11.5,
      titleFontWeight: 600,
      symbolType: 'circle',
      orient: 'top',
      direction: 'horizontal',
    },
    title: { color: c.text, font: CHART_FONT, fontSize: 13, fontWeight: 600, anchor: 'start' },
    range: { category: PALETTE, ordinal: { scheme: 'blues' }, ramp: { scheme: 'blues' } },
    line: { strokeWidth: 2.25, strokeCap: 'round', strokeJoin: 'round' },
    point: { size: 36, filled: true },
    bar: { cornerRadiusEnd: 2 },
    scale: { bandPaddingInner: 0.25 },
    arc: { stroke: c.background, strokeWidth: 1.5 },
    rect: { stroke: c.background, strokeWidth: 1 },
    area: { opacity: 0.85, line: false },
    text: { color: c.text, font: CHART_FONT, fontSize: 11 },
    mark: { color: PALETTE[0] },
    customFormatTypes: false,
  };
}
