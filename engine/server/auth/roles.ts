/** Roles, weakest first: a viewer reads, a runner also starts and cancels runs, an admin also edits schedules, data and notebooks. */
export const ROLES = ['viewer', 'runner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  name: string;
  role: Role;
  /** How the request proved who it is: a Bearer token, a login cookie, or the local user (127.0.0.1, no tokens). */
  via: 'bearer' | 'cookie' | 'local';
}

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
