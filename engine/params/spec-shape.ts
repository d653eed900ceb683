import * as z from 'zod';

export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'month', 'quarter', 'year', 'select', 'list'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export const PARAM_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A param spec's keys; schema.ts adds the checks that need the type rules (resolve.ts). */
export const paramSpecShape = z.strictObject({
  type: z.enum(PARAM_TYPES, { error: `type must be one of ${PARAM_TYPES.join(', ')}` }),
  default: z.union([scalar, z.array(scalar)], { error: 'default must be a string, a number, a boolean or a list' }).optional(),
  options: z
    .array(z.union([z.string(), z.number()], { error: 'options must be strings or numbers' }))
    .min(1, { error: 'options must list at least one value' })
    .optional(),
  description: z.string().optional(),
  label: z.string().optional(),
});

export type ParamSpec = z.output<typeof paramSpecShape>;
