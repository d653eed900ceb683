/**
 * The slices of the server, each a function of the ServerContext returning a sub-app: API slices
 * are mounted under /api/v1, page slices at /. Adding a slice is one line here.
 */
import type { Hono } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, ServerContext } from './context.js';
import { notebooksApi } from './api/notebooks.js';
import { runsApi } from './api/runs.js';
import { schedulesApi } from './api/schedules.js';
import { templatesApi } from './api/templates.js';
import { metricsApi } from './api/metrics.js';
import { tablesApi } from './api/tables.js';
import { notebookPages } from './pages/notebooks.js';
import { runPages } from './pages/runs.js';
import { schedulePages } from './pages/schedules.js';
import { templatePages } from './pages/templates.js';
import { metricPages } from './pages/metrics.js';
import { dataPages } from './pages/data.js';

export type ApiSlice = (ctx: ServerContext) => OpenAPIHono<AppEnv>;
export type PageSlice = (ctx: ServerContext) => Hono<AppEnv>;

export const API_SLICES: ApiSlice[] = [notebooksApi, runsApi, schedulesApi, templatesApi, metricsApi, tablesApi];

export const PAGE_SLICES: PageSlice[] = [notebookPages, runPages, schedulePages, templatePages, metricPages, dataPages];
