import * as z from 'zod';
import { cellSchema } from '../../engine/cell-type.js';

export const textSchema = cellSchema('text', {
  markdown: z.string().describe('Markdown with Liquid: params and referenced cells (<id>.rows, .first, .row_count, .columns, .value)'),
  html: z.boolean().optional().describe('Allow raw HTML in the markdown, through the sanitizer (no script, links only http(s)/mailto/#anchor, images only data: URIs; values stay escaped)'),
});
export type TextSpec = z.infer<typeof textSchema>;
