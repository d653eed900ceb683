/** The cache's folder under the runs folder (cells, and charts in its .charts; see report/charts/memo.ts). */
export const CACHE_DIR = '.cache';
