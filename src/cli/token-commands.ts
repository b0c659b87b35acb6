import { issueToken } from '../auth/tokens.js';
import { revokeToken, tokenActive } from '../auth/token-admin.js';
import { APP_ROLES, type ApiTokenRow, type AppRoleName } from '../db/auth-tables.js';
import type { Repositories } from '../db/repositories.js';
import { AlreadyExistsError, InvalidInputError, NotAllowedError } from '../domain/errors.js';

/** Who the command line records as a token's creator. */
export const CLI_CREATOR = 'command line';

/** Bad input or a refused action: the message goes to stderr and the process exits with 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface CreateOptions {
  name?: string;
  admin?: boolean;
  /** App names, paired in order with `roles`. */
  apps?: string[];
  roles?: string[];
  /** An ISO-8601 date or time (2027-01-01, 2027-01-01T12:00:00Z). */
  expires?: string;
}

/** The command-line option a path of a token spec comes from. */
const OPTION_OF: Record<string, string> = { name: '--name', expiresAt: '--expires', grants: '--app' };

/** Creates a token as the API does (same validation, same hashing); returns it and its secret. */
export async function createToken(repos: Repositories, options: CreateOptions, now: Date): Promise<{ token: ApiTokenRow; secret: string }> {
  const problems: string[] = [];
  const apps = options.apps ?? [];
  const roles = options.roles ?? [];
  if (options.name === undefined) problems.push('--name is required: the token\'s unique name (e.g. --name ci).');
  if (apps.length !== roles.length) problems.push(`give one --role per --app (got ${apps.length} --app and ${roles.length} --role).`);
  const grants: { appId: number; role: AppRoleName }[] = [];
  const found = await Promise.all(apps.map((appName) => repos.apps.byName(appName)));
  apps.forEach((appName, i) => {
    const role = roles[i]?.toUpperCase();
    const app = found[i];
    if (!app) problems.push(`--app ${appName}: no app has this name.`);
    if (role !== undefined && !(APP_ROLES as readonly string[]).includes(role)) problems.push(`--role ${roles[i]}: a role is one of ${APP_ROLES.join(', ')}.`);
    if (app && role !== undefined) grants.push({ appId: app.id, role: role as AppRoleName });
  });
  let expiresAt: Date | null = null;
  if (options.expires !== undefined) {
    expiresAt = new Date(options.expires);
    if (!/^\d{4}-\d{2}-\d{2}/.test(options.expires) || Number.isNaN(expiresAt.getTime())) {
      problems.push(`--expires ${options.expires}: give a date or time in ISO-8601 form (2027-01-01 or 2027-01-01T12:00:00Z).`);
      expiresAt = null;
    }
  }
  if (problems.length > 0) throw new CliError(problems.join('\n'));
  try {
    return await issueToken(repos, { name: options.name!, admin: options.admin ?? false, grants, expiresAt }, CLI_CREATOR, now);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new CliError(error.problems.map((p) => `${OPTION_OF[p.path[1] ?? ''] ?? p.path.join('.')}: ${p.message}`).join('\n'));
    }
    if (error instanceof AlreadyExistsError) throw new CliError(`--name ${error.takenName}: a token with this name already exists (names are never reused).`);
    throw error;
  }
}

/** Revokes the token named `name` (the last admin token too: the command line can always make a new one). */
export async function revokeTokenNamed(repos: Repositories, name: string | undefined, now: Date): Promise<ApiTokenRow> {
  if (name === undefined) throw new CliError('--name is required: the name of the token to revoke.');
  const token = await repos.tokens.byName(name);
  if (!token) throw new CliError(`--name ${name}: no token has this name (see: npm run token -- list).`);
  try {
    return await revokeToken(repos, token, now, { allowLastAdmin: true });
  } catch (error) {
    if (error instanceof NotAllowedError) throw new CliError(error.reason);
    throw error;
  }
}

/** One token as the list shows it. */
export interface TokenListing {
  name: string;
  prefix: string;
  admin: boolean;
  roles: { app: string; role: AppRoleName }[];
  state: 'active' | 'revoked' | 'expired';
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** Every token, oldest first, with its roles by app name; never a secret. */
export async function listTokens(repos: Repositories, now: Date): Promise<TokenListing[]> {
  const rows: ApiTokenRow[] = [];
  for (let afterId = 0; ; ) {
    const page = await repos.tokens.page(afterId, 500);
    rows.push(...page);
    if (page.length < 500) break;
    afterId = page[page.length - 1]!.id;
  }
  // Every token's roles in one read, and every app they name in one more.
  const grants = await repos.tokens.grantsOfTokens(rows.map((t) => t.id));
  const apps = new Map((await repos.apps.byIds([...new Set(grants.map((g) => g.appId))])).map((a) => [a.id, a.name]));
  const grantsOf = new Map<number, typeof grants>();
  for (const g of grants) grantsOf.set(g.tokenId, [...(grantsOf.get(g.tokenId) ?? []), g]);
  return rows.map((t) => {
    const roles = grantsOf.get(t.id) ?? [];
    return {
      name: t.name,
      prefix: t.prefix,
      admin: t.admin,
      roles: roles.map((g) => ({ app: apps.get(g.appId) ?? `#${g.appId}`, role: g.role })),
      state: t.revokedAt ? 'revoked' : tokenActive(t, now) ? 'active' : 'expired',
      createdBy: t.createdBy,
      createdAt: t.createdAt.toISOString(),
      expiresAt: t.expiresAt?.toISOString() ?? null,
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    };
  });
}

/** The list as an aligned text table. */
export function formatTokenTable(tokens: TokenListing[]): string {
  const header = ['NAME', 'PREFIX', 'ADMIN', 'ROLES', 'STATE', 'EXPIRES', 'LAST USED'];
  const rows = tokens.map((t) => [
    t.name,
    t.prefix,
    t.admin ? 'yes' : 'no',
    t.roles.map((r) => `${r.app}:${r.role}`).join(',') || '-',
    t.state,
    t.expiresAt ?? 'never',
    t.lastUsedAt ?? 'never',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
