import { YamlSource } from '../source/source.js';
import type { UserError } from '../util/errors.js';

const DOC_START = /^---(?=\s|$)/;
const DOC_END = /^\.\.\.\s*$/;

/**
 * The documents of a multi-document YAML file (separated by `---`), each as its own YamlSource
 * whose text is the whole file with the other documents blanked out: lines and columns of every
 * located error stay those of the real file.
 */
export function yamlDocuments(file: string, text: string): { docs: YamlSource[]; errors: UserError[] } {
  const lines = text.split('\n');
  const groups: number[][] = [[]];
  lines.forEach((line, i) => {
    if (DOC_START.test(line)) groups.push([i]);
    else if (DOC_END.test(line)) groups.push([]);
    else groups[groups.length - 1].push(i);
  });
  const docs: YamlSource[] = [];
  const errors: UserError[] = [];
  for (const group of groups) {
    const own = new Set(group);
    const masked = lines
      .map((line, i) => {
        if (!own.has(i)) return '';
        // `--- {inline: doc}`: keep the content, blank the marker.
        return DOC_START.test(line) ? `   ${line.slice(3)}` : line;
      })
      .join('\n');
    if (masked.replace(/#.*$/gm, '').trim() === '') continue;
    const { source, errors: e } = YamlSource.parse(file, masked);
    errors.push(...e);
    if (!e.length) docs.push(source);
  }
  return { docs, errors };
}
