import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet('a');
ws.addRow(['x']);
const id = wb.addImage({ buffer: readFileSync('/tmp/qp/v1.png'), extension: 'png' });
ws.addImage(id, { tl: { col: 3, row: 1 }, ext: { width: 640, height: 250 } });
await wb.xlsx.writeFile('/tmp/qp/ref.xlsx');
