export { sourceSpecSchema, sourcesSchema, formatOf, SOURCE_FORMATS, type ResolvedSource, type SourceSpec, type SourceSpecs, type SourceFormat } from './spec.js';
export { checkSourceFile, loadSource, sourceStamp, RunSources } from './load.js';
