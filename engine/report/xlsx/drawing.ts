/**
 * Pictures on sheets of exceljs's streaming writer, which only knows background images: each
 * sheet with pictures gets a drawing part (`xl/drawings/drawingN.xml` + its rels), a relationship
 * from the sheet, a `<drawing>` element, and a content-type override. The image files themselves
 * go through the writer's own media list (`workbook.addImage`).
 */
import type ExcelJS from 'exceljs';

const DRAWING_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing';
const IMAGE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/image';
const EMU_PER_PX = 9525;

export interface Picture {
  png: Buffer;
  /** Top-left cell, 0-based. */
  col: number;
  row: number;
  /** Display size in pixels. */
  width: number;
  height: number;
  name: string;
}

/** The streaming classes' internals this module relies on (exceljs 4.x). */
interface StreamingWorkbook {
  zip: { append(data: string | Buffer, opts: { name: string }): void };
  addImage(image: { buffer: Buffer; extension: 'png' }): number;
  getImage(id: number): { name: string };
  addContentTypes(): Promise<void>;
}
interface StreamingSheet {
  _sheetRelsWriter: { addRelationship(rel: { Type: string; Target: string }): string };
  _writeLegacyData(): void;
  stream: { write(data: string): unknown };
}

function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function drawingXml(pictures: { rId: string; p: Picture }[]): string {
  const anchors = pictures.map(({ rId, p }, i) => {
    const id = i + 2;
    return (
      `<xdr:oneCellAnchor><xdr:from><xdr:col>${p.col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${p.row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>` +
      `<xdr:ext cx="${Math.round(p.width * EMU_PER_PX)}" cy="${Math.round(p.height * EMU_PER_PX)}"/>` +
      `<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="${id}" name="${xmlAttr(p.name)}" descr="${xmlAttr(p.name)}"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>` +
      `<xdr:blipFill><a:blip r:embed="${rId}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>` +
      `<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${Math.round(p.width * EMU_PER_PX)}" cy="${Math.round(p.height * EMU_PER_PX)}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>` +
      `<xdr:clientData/></xdr:oneCellAnchor>`
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    anchors.join('') +
    '</xdr:wsDr>'
  );
}

/** Adds drawing support to a streaming workbook; `attach` puts pictures on a sheet before it is committed. */
export function drawings(workbook: ExcelJS.stream.xlsx.WorkbookWriter) {
  const wb = workbook as unknown as StreamingWorkbook;
  const names: string[] = [];
  const addContentTypes = wb.addContentTypes.bind(wb);
  // The [Content_Types].xml the writer makes, plus an override per drawing part.
  wb.addContentTypes = async () => {
    if (!names.length) return addContentTypes();
    const original = wb.zip.append.bind(wb.zip);
    wb.zip.append = (data, opts) => {
      if (opts.name === '[Content_Types].xml' && typeof data === 'string') {
        const overrides = names.map((n) => `<Override PartName="/xl/drawings/${n}.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>`).join('');
        data = data.replace('</Types>', `${overrides}</Types>`);
      }
      original(data, opts);
    };
    try {
      await addContentTypes();
    } finally {
      wb.zip.append = original;
    }
  };

  return {
    /** Call after the sheet's rows are written and before `sheet.commit()`. */
    attach(sheet: ExcelJS.Worksheet, pictures: Picture[]): void {
      if (!pictures.length) return;
      const ws = sheet as unknown as StreamingSheet;
      const name = `drawing${names.length + 1}`;
      names.push(name);
      const rels: string[] = [];
      const placed = pictures.map((p, i) => {
        const imageId = wb.addImage({ buffer: p.png, extension: 'png' });
        const rId = `rId${i + 1}`;
        rels.push(`<Relationship Id="${rId}" Type="${IMAGE_REL}" Target="../media/${wb.getImage(imageId).name}"/>`);
        return { rId, p };
      });
      wb.zip.append(drawingXml(placed), { name: `xl/drawings/${name}.xml` });
      wb.zip.append(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`, {
        name: `xl/drawings/_rels/${name}.xml.rels`,
      });
      const rId = ws._sheetRelsWriter.addRelationship({ Type: DRAWING_REL, Target: `../drawings/${name}.xml` });
      // <drawing> comes right before <legacyDrawing> in a worksheet (ECMA-376 order).
      const writeLegacy = ws._writeLegacyData.bind(ws);
      ws._writeLegacyData = () => {
        ws.stream.write(`<drawing r:id="${rId}"/>`);
        writeLegacy();
      };
    },
  };
}
