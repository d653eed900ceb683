/**
 * Page numbers for the PDF's contents list. Chromium has no `target-counter()`, but it writes a
 * named destination (the page it landed on) for every element an internal link points to: the
 * report is printed once, those destinations are read back with pdf-lib, the numbers are filled
 * into the contents list (whose number slots already take their room) and the report is printed again.
 */
import type { PDFArray as PDFArrayType } from 'pdf-lib';

/** Anchor id → 1-based page number, from a PDF's `/Dests` dictionary (empty when it has none). */
export async function destinationPages(pdf: Uint8Array): Promise<Map<string, number>> {
  // Loaded only when a PDF with a contents list is printed: pdf-lib is a large module.
  const loaded = await import('pdf-lib');
  // A CommonJS package: its exports are the namespace in Node's ESM, its `default` in the CLI bundle.
  const { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef } = 'PDFDocument' in loaded && loaded.PDFDocument ? loaded : (loaded as unknown as { default: typeof loaded }).default;
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const pages = new Map(doc.getPages().map((page, i) => [page.ref.toString(), i + 1]));
  const out = new Map<string, number>();
  const dests = doc.catalog.lookup(PDFName.of('Dests'));
  if (!(dests instanceof PDFDict)) return out;
  for (const [name, value] of dests.entries()) {
    const dest = value instanceof PDFRef ? doc.context.lookup(value) : value;
    const target = dest instanceof PDFArray ? dest.get(0) : dest instanceof PDFDict ? (dest.lookup(PDFName.of('D')) as PDFArrayType | undefined)?.get(0) : undefined;
    const page = target ? pages.get(target.toString()) : undefined;
    if (page !== undefined) out.set(decodeName(name.asString().slice(1)), page);
  }
  return out;
}

/** A PDF name's `#xx` escapes decoded. */
function decodeName(name: string): string {
  return name.replace(/#([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
