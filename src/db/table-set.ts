import * as pgAuth from './pg/auth-tables.js';
import * as pgLease from './pg/lease-table.js';
import * as pgRelease from './pg/release-tables.js';
import * as pgCore from './pg/tables.js';
import { apiTokens, appMembers, auditEntries } from './auth-tables.js';
import { engineLease } from './lease-table.js';
import { instanceFailures, orderTransitions, releaseOrders, revisions } from './release-tables.js';
import { apps, deploymentConfigs, environments, templates } from './tables.js';

/**
 * Every table of cairn's database, as the repositories use them: they name tables through this set
 * (`t.apps`), never by importing a dialect's table, so the same repository code runs on SQLite and on
 * PostgreSQL. The SQLite tables give the types; the PostgreSQL set has the same names, columns and row
 * types (test/db/schema-parity.test.ts compares them), so it stands in for them.
 */
export const sqliteTables = { apps, environments, deploymentConfigs, templates, revisions, releaseOrders, orderTransitions, instanceFailures, apiTokens, appMembers, auditEntries, engineLease };

export type Tables = typeof sqliteTables;

export const pgTables = {
  apps: pgCore.apps,
  environments: pgCore.environments,
  deploymentConfigs: pgCore.deploymentConfigs,
  templates: pgCore.templates,
  revisions: pgRelease.revisions,
  releaseOrders: pgRelease.releaseOrders,
  orderTransitions: pgRelease.orderTransitions,
  instanceFailures: pgRelease.instanceFailures,
  apiTokens: pgAuth.apiTokens,
  appMembers: pgAuth.appMembers,
  auditEntries: pgAuth.auditEntries,
  engineLease: pgLease.engineLease,
} as unknown as Tables;
