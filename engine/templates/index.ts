/**
 * The template gallery: ready notebooks in `templates/<name>/` and the commands around them
 * (`quire templates list | show | use | gallery`).
 *
 * @example
 *   const r = await useTemplate({ name: 'kpi-scorecard', cwd: '/path/to/project' });
 *   console.log(r.runCommand); // quire run notebooks/kpi-scorecard.yaml
 */
export { listTemplates, loadTemplate, templateNames, templatesDir, type Template, type TemplateParam } from './catalog.js';
export { neededSpecs, templateCatalog, definitionOf, type NeededSpec } from './specs.js';
export { useTemplate, type UseOptions, type UseResult } from './use.js';
export { buildGallery, galleryHtml, type GalleryOptions, type GalleryResult } from './gallery.js';
export { stageProject } from './stage.js';
