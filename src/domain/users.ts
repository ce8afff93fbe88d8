import type { ReaderAccess } from './markings.js';

export const ROLES = [
  'analyst',
  'case_agent',
  'supervisor',
  'watchlist_reviewer',
  'watch_officer',
  'screener',
  'admin',
  'partner',
] as const;
export type Role = (typeof ROLES)[number];

/** An authenticated user, with the access the store filters by. */
export interface Principal extends ReaderAccess {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
}

/** Least privilege: each action names the roles that may take it. */
export const PERMISSIONS = {
  read: ROLES,
  write: ['analyst', 'case_agent', 'supervisor', 'admin'],
  export: ['analyst', 'case_agent', 'supervisor', 'admin'],
  /** Release to a partner country or instance (incident export, federation, exchange formats). */
  disseminate: ['analyst', 'case_agent', 'supervisor', 'admin'],
  audit: ['admin'],
  retentionReview: ['supervisor', 'admin'],
  retentionPurge: ['admin'],
  manageUsers: ['admin'],
  manageCases: ['case_agent', 'supervisor', 'admin'],
  planOperations: ['case_agent', 'supervisor', 'admin'],
  approveExigent: ['supervisor', 'admin'],
  seeAllConflicts: ['supervisor', 'watch_officer', 'admin'],
  watchCenter: ['watch_officer', 'admin'],
  nominate: ['analyst', 'case_agent', 'supervisor'],
  reviewNominations: ['watchlist_reviewer'],
  screen: ['analyst', 'case_agent', 'supervisor', 'watchlist_reviewer', 'screener', 'admin', 'partner'],
  manageTaskForces: ['supervisor', 'admin'],
  /** Add, replace and remove screening lists (an agency's own watchlist; admins also published lists for others). */
  manageLists: ['supervisor', 'admin'],
  manageWebhooks: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function may(p: Pick<Principal, 'roles'>, perm: Permission): boolean {
  return p.roles.some((r) => (PERMISSIONS[perm] as readonly Role[]).includes(r));
}

export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export function assertMay(p: Pick<Principal, 'roles' | 'username'>, perm: Permission): void {
  if (!may(p, perm))
    throw new ForbiddenError(
      `${p.username} lacks the permission "${perm}" (needs one of: ${PERMISSIONS[perm].join(', ')})`,
    );
}
