/**
 * Checks of template fields that load Liquid only for text that holds some: `quire validate` of
 * a notebook whose titles are plain text never loads liquidjs.
 */
import type { YamlPath, YamlSource } from '../source/source.js';
import type { UserError } from '../util/errors.js';
import { isTemplate } from './is-template.js';
import type { TemplateNames } from './liquid-check.js';

/** analyzeTemplate (liquid.ts), with liquidjs loaded only when `text` is a template. */
export async function parseTemplate(text: string, source: YamlSource, path: YamlPath, partials?: string): Promise<{ variables: string[]; error?: UserError }> {
  if (!isTemplate(text)) return { variables: [] };
  return (await import('./liquid.js')).analyzeTemplate(text, source, path, partials);
}

/** The problems of a plain-text template field (a title): its syntax error, else its unknown names. */
export async function templateFieldErrors(text: string, source: YamlSource, path: YamlPath, names: TemplateNames): Promise<UserError[]> {
  if (!isTemplate(text)) return [];
  const t = await parseTemplate(text, source, path);
  if (t.error) return [t.error];
  return (await import('./liquid-check.js')).unknownTemplateNames(text, source, path, names);
}
