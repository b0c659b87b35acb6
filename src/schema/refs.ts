import type { AppRow, DeploymentConfigRow, EnvironmentRow, TemplateRow } from '../db/tables.js';
import { builder } from './builder.js';

/**
 * The object references of the node types, declared here so that type files can point at each
 * other without import cycles; each is implemented in its own file (app.ts, environment.ts …).
 */
export const AppRef = builder.objectRef<AppRow>('App');
export const EnvironmentRef = builder.objectRef<EnvironmentRow>('Environment');
export const DeploymentConfigRef = builder.objectRef<DeploymentConfigRow>('DeploymentConfig');
export const TemplateRef = builder.objectRef<TemplateRow>('Template');
