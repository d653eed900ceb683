/** A notebook's sources: quire.yaml's and its own (a name in both: the notebook's), paths resolved against the project root. */
import { resolve } from 'node:path';
import { formatOf, sourceSpecSchema, sourcesSchema, type ResolvedSource, type SourceSpecs } from '../file-sources/index.js';
import { projectPath, type Project } from '../project.js';

interface SourcesOf {
  project: Project;
  displayPath: string;
  top: { sources?: SourceSpecs };
}

export function notebookSources(nb: SourcesOf): Map<string, ResolvedSource> {
  const out = new Map<string, ResolvedSource>();
  const add = (specs: SourceSpecs | undefined, declaredIn: string) => {
    for (const [name, spec] of Object.entries(specs ?? {})) {
      const format = formatOf(spec.file);
      if (format) out.set(name, { name, spec, format, path: resolve(projectPath(nb.project, spec.file)), declaredIn });
    }
  };
  add(nb.project.config.sources, 'quire.yaml');
  add(nb.top.sources, nb.displayPath);
  return out;
}

/** The entries of a raw `sources:` mapping that check out (the others are schema errors already), so they can still be checked further. */
export function validSources(raw: unknown): SourceSpecs {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: SourceSpecs = {};
  for (const [name, spec] of Object.entries(raw)) {
    const one = sourcesSchema.safeParse({ [name]: spec });
    const parsed = one.success ? sourceSpecSchema.safeParse(spec) : null;
    if (parsed?.success) out[name] = parsed.data;
  }
  return out;
}

/** The folders sources may be read from (`allowed_directories` of quire.yaml); null: anywhere. */
export function sourceDirectories(project: Project): string[] | null {
  const allowed = project.config.allowed_directories;
  return allowed === 'any' ? null : allowed.map((d) => resolve(projectPath(project, d)));
}
