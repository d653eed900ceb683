import ExcelJS from 'exceljs';
const wb = new ExcelJS.Workbook();
await wb.xlsx.readFile(process.argv[2]);
for (const ws of wb.worksheets) {
  console.log('==', ws.name, ws.rowCount, 'x', ws.columnCount, 'frozen', JSON.stringify(ws.views?.[0]?.state), 'filter', JSON.stringify(ws.autoFilter), 'images', ws.getImages().length);
  for (let r = 1; r <= Math.min(ws.rowCount, 3); r++) {
    const row = ws.getRow(r);
    console.log('  ', JSON.stringify(row.values), row.getCell(1).font?.bold ? 'bold' : '', row.getCell(2).numFmt ?? '', row.getCell(3).numFmt ?? '');
  }
}
