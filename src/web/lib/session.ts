// The signed-in user, for views that offer only what the user's roles allow (the
// server enforces the same permissions; this only avoids asking for what it would refuse).
import { signal } from '@preact/signals';
import { may, type Permission, type Principal } from '../../domain/users.ts';

export const currentUser = signal<Principal | null>(null);
export const userMay = (p: Permission): boolean => !!currentUser.value && may(currentUser.value, p);
