/**
 * Export format names in a notebook (`export:`, and each schedule's `export:` and `email.attach:`)
 * checked against the registry: the notebook schema leaves them as strings because notebook/ sits
 * below export/ and must not know the formats.
 */
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlPath, YamlSource } from '../source/source.js';
import { describePath } from '../source/zod-errors.js';
import { EXPORT_FORMATS, exporterOf } from './index.js';

/** Where format lists sit in a notebook's raw YAML value. */
function formatLists(raw: unknown): YamlPath[] {
  const lists: YamlPath[] = [['export']];
  const schedules = (raw as { schedules?: unknown })?.schedules;
  if (Array.isArray(schedules)) for (let i = 0; i < schedules.length; i++) lists.push(['schedules', i, 'export'], ['schedules', i, 'email', 'attach']);
  return lists;
}

function valueAt(raw: unknown, path: YamlPath): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), raw);
}

/** An unknown format is a located UserError with "did you mean" and the known formats. */
export function checkExportFormats(source: YamlSource, raw: unknown = source.toJS()): UserError[] {
  const errors: UserError[] = [];
  for (const list of formatLists(raw)) {
    const items = valueAt(raw, list);
    if (!Array.isArray(items)) continue;
    items.forEach((format, i) => {
      if (typeof format !== 'string' || exporterOf(format)) return;
      const dym = didYouMean(format, EXPORT_FORMATS);
      const at = [...list, i];
      errors.push(
        new UserError('E_EXPORT_FORMAT', `${describePath(at)}: unknown export format '${format}'${dym ? ` — ${dym}` : ''}`, {
          location: source.locate(at),
          hint: `export formats: ${EXPORT_FORMATS.join(', ')}`,
        }),
      );
    });
  }
  return errors;
}
