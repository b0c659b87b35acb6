import type { AppRoleName } from '../db/auth-tables.js';
import { builder } from './builder.js';

const descriptions: Record<AppRoleName, string> = {
  VIEWER: 'Reads the app: its configuration, releases, instances, events and logs.',
  DEPLOYER: 'Everything a VIEWER may, plus releases (submit, continue, roll back) and remote login (commands, terminals).',
  OWNER: 'Everything a DEPLOYER may, plus the app itself, its deployment configurations and its members.',
};

/** A token's role on one app; each role includes the ones before it (VIEWER ⊂ DEPLOYER ⊂ OWNER). */
export const AppRoleEnum = builder.enumType('AppRole', {
  description: 'A token\'s role on one app. Each role includes the weaker ones: VIEWER ⊂ DEPLOYER ⊂ OWNER. Admin tokens may do everything on every app.',
  values: {
    VIEWER: { description: descriptions.VIEWER },
    DEPLOYER: { description: descriptions.DEPLOYER },
    OWNER: { description: descriptions.OWNER },
  } as const,
});
