/**
 * Number formats of charts, KPI cards and Excel cells. A visualization's `format:` maps a field to
 * one of these names; every renderer turns the name into its own format language.
 */
export const NUMBER_FORMATS = ['number', 'integer', 'decimal', 'currency', 'percent'] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

const LOCALE = 'en-US';

/** A value in a format, for KPI cards and labels: `$1,234.50`, `12.3%`, `1,235`. */
export function formatNumber(value: number | null, format: NumberFormat = 'number'): string {
  if (value === null || !Number.isFinite(value)) return '–';
  switch (format) {
    case 'integer':
      return Math.round(value).toLocaleString(LOCALE);
    case 'decimal':
      return value.toLocaleString(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'currency':
      return value.toLocaleString(LOCALE, { style: 'currency', currency: 'USD', minimumFractionDigits: Math.abs(value) >= 1000 ? 0 : 2, maximumFractionDigits: Math.abs(value) >= 1000 ? 0 : 2 });
    case 'percent':
      return `${(value * 100).toLocaleString(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
    default:
      return Number.isInteger(value)
        ? value.toLocaleString(LOCALE)
        : value.toLocaleString(LOCALE, { minimumFractionDigits: Math.abs(value) < 1 ? 1 : 2, maximumFractionDigits: Math.abs(value) < 1 ? 3 : 2 });
  }
}

/** d3-format for an axis whose values reach `maxAbs`: `$1.2M`, `$350`, `12%`, `4,000`. */
export function axisFormat(format: NumberFormat | undefined, maxAbs: number): string | undefined {
  const big = maxAbs >= 1e6;
  switch (format) {
    case 'integer':
      return big ? '.3~s' : ',d';
    case 'decimal':
      return big ? '.3~s' : undefined;
    case 'currency':
      return big ? '$.3~s' : maxAbs >= 100 ? '$,.0f' : '$,.2~f';
    case 'percent':
      return maxAbs >= 0.1 ? '.0%' : '.1%';
    default:
      return big ? '.3~s' : undefined;
  }
}

/** d3-format for a tooltip value. */
export function tooltipFormat(format: NumberFormat | undefined): string {
  switch (format) {
    case 'integer':
      return ',d';
    case 'currency':
      return '$,.2f';
    case 'percent':
      return '.1%';
    case 'decimal':
      return ',.2f';
    default:
      return ',.4~f';
  }
}

/** Excel number formats. */
export function excelFormat(format: NumberFormat): string {
  switch (format) {
    case 'integer':
      return '#,##0';
    case 'decimal':
      return '#,##0.00';
    case 'currency':
      return '"$"#,##0.00';
    case 'percent':
      return '0.0%';
    default:
      return '#,##0.00##';
  }
}
