/** Cells in the order they run: level by level (the DAG's), each level in file order; those the plan has not placed last, in file order. */
export function dagOrder<T extends { id: string }>(cells: T[], levels: string[][]): T[] {
  const rank = new Map(levels.flat().map((id, i) => [id, i]));
  const place = (c: T, i: number) => rank.get(c.id) ?? rank.size + i;
  return cells
    .map((c, i) => ({ c, at: place(c, i) }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.c);
}
