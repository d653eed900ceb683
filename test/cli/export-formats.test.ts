/** The format list is the registry's: commands, notebooks, schedules and the editor schema ask it. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_FORMATS, EXPORTERS, needsBrowser, parseExportFormats } from '../../engine/export/index.js';
import { loadNotebook, notebookJsonSchema } from '../../engine/notebooks.js';
import { readSchedules } from '../../engine/schedule/discover.js';
import { ValidationErrors } from '../../engine/util/errors.js';
import { fixtureProject, quire } from '../helpers/cli.js';

const NOTEBOOK = `title: Formats
export: [html, pfd]
cells:
  - id: one
    type: query
    sql: SELECT 1 AS x
schedules:
  - name: monthly
    cron: "0 7 1 * *"
    export: [xlsx, docx]
    email:
      to: [cfo@example.com]
      attach: [xlsx, xslx]
`;

describe('export formats', () => {
  it('are the registered exporters, in one list', () => {
    expect(EXPORT_FORMATS).toEqual(EXPORTERS.map((e) => e.format));
    expect(needsBrowser(['html', 'xlsx'])).toBe(false);
    expect(needsBrowser(['html', 'pdf'])).toBe(true);
  });

  it('an unknown name on the command line says which formats there are', () => {
    expect(parseExportFormats(' html,PDF,html ')).toEqual(['html', 'pdf']);
    let err: any;
    try {
      parseExportFormats('html,docx', '--format');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'E_BAD_ARGUMENT', message: "unknown export format 'docx'" });
    expect(err.hint).toBe(`--format takes a comma-separated list of ${EXPORT_FORMATS.join(', ')}`);
  });

  it('an unknown name in a notebook or its schedules is a located error with did-you-mean', () => {
    const dir = fixtureProject('report-small');
    const path = join(dir, 'formats.yaml');
    writeFileSync(path, NOTEBOOK);
    let err: unknown;
    try {
      loadNotebook(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationErrors);
    const found = (err as ValidationErrors).errors.map((e) => [e.code, e.message, e.location?.line, e.location?.col]);
    expect(found).toEqual([
      ['E_EXPORT_FORMAT', "export[1]: unknown export format 'pfd' — did you mean 'pdf'?", 2, 16],
      ['E_EXPORT_FORMAT', "schedules[0].export[1]: unknown export format 'docx'", 10, 20],
      ['E_EXPORT_FORMAT', "schedules[0].email.attach[1]: unknown export format 'xslx' — did you mean 'xlsx'?", 13, 22],
    ]);
    expect((err as ValidationErrors).errors[0]!.hint).toBe(`export formats: ${EXPORT_FORMATS.join(', ')}`);
  });

  it('the scheduler skips a schedule with an unknown format and says why', () => {
    const found = readSchedules('/p/formats.yaml', '/p', 'UTC', NOTEBOOK);
    expect(found.schedules).toEqual([]);
    expect(found.problems).toEqual([`formats.yaml: schedule 'monthly': unknown export format 'docx' (export formats: ${EXPORT_FORMATS.join(', ')})`]);
  });

  it('the editor schema lists the registered formats', () => {
    const schema = notebookJsonSchema() as any;
    expect(schema.properties.export.items.enum).toEqual([...EXPORT_FORMATS]);
    const schedule = schema.properties.schedules.items;
    expect(schedule.properties.export.items.enum).toEqual([...EXPORT_FORMATS]);
    expect(schedule.properties.email.properties.attach.items.enum).toEqual([...EXPORT_FORMATS]);
  });

  it('quire send --attach asks the registry', () => {
    const r = quire(['send', 'some-run', '--to', 'cfo@example.com', '--attach', 'pdf', '--attach', 'pfd'], fixtureProject('report-small'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown export format 'pfd' — did you mean 'pdf'?");
    expect(r.stderr).toContain(`--attach takes a comma-separated list of ${EXPORT_FORMATS.join(', ')}`);
  });
});
