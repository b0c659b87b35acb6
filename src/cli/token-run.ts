/** The token command line's logic (src/cli/token.ts is its entry point). */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openConfiguredDatabase, redactedDatabaseUrl } from '../db/pg/database-url.js';
import { notificationsOf } from '../db/pg/database.js';
import { createRepositories } from '../db/repositories.js';
import { createReplicatedTokenEvents } from '../auth/replicated-token-events.js';
import type { SecretCipher } from '../secrets/cipher.js';
import { CliError, createToken, formatTokenTable, listTokens, revokeTokenNamed } from './token-commands.js';

const USAGE = `Usage: npm run -s token -- <command> [options]

Commands:
  create --name <name> [--admin] [--app <app> --role VIEWER|DEPLOYER|OWNER]... [--expires <date>]
         Creates an API token and prints its secret (only that) on stdout, this once.
  list [--json]
         Lists every token: name, secret prefix, roles, state, expiry, last use. Never a secret.
  revoke --name <name>
         Revokes the token: its next requests get 401.

The database is CAIRN_DATABASE_URL (PostgreSQL) when set, else CAIRN_DATABASE (SQLite, default data/cairn.db).`;

/** Token commands never read secret env values: a cipher that refuses keeps the key file untouched. */
const NO_CIPHER: SecretCipher = {
  encrypt: () => {
    throw new Error('the token command line does not handle secret values');
  },
  decrypt: () => {
    throw new Error('the token command line does not handle secret values');
  },
};

/** Where the command line writes: stdout for results (the secret alone, for create), stderr for messages. */
export interface CliOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Runs one token command (`argv` without the program name) against the database `env` configures
 * (CAIRN_DATABASE_URL, else CAIRN_DATABASE); resolves with the exit code: 0, or 1 after a one-line error on stderr for bad input.
 */
export async function runTokenCli(argv: string[], out: CliOutput, env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await run(argv, out, env);
  } catch (error) {
    // Bad input (CliError, or parseArgs' ERR_PARSE_ARGS_* errors) and anything else: the message, no stack.
    out.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function run(argv: string[], out: CliOutput, env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out.stderr.write(`${USAGE}\n`);
    return command === undefined ? 1 : 0;
  }
  if (!['create', 'list', 'revoke'].includes(command)) throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: false,
    options: {
      name: { type: 'string' },
      admin: { type: 'boolean' },
      app: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const allowed: Record<string, string[]> = { create: ['name', 'admin', 'app', 'role', 'expires'], list: ['json'], revoke: ['name'] };
  const stray = Object.keys(values).filter((k) => !allowed[command]!.includes(k));
  if (stray.length > 0) throw new CliError(`${command} does not take ${stray.map((k) => `--${k}`).join(', ')}\n\n${USAGE}`);

  const config = loadConfig(env);
  const database = await openConfiguredDatabase(config);
  try {
    const repos = createRepositories(database, { cipher: NO_CIPHER });
    const now = new Date();
    const where = config.databaseUrl !== undefined ? redactedDatabaseUrl(config.databaseUrl) : config.databasePath;
    if (command === 'create') {
      const { token, secret } = await createToken(repos, { name: values.name, admin: values.admin, apps: values.app, roles: values.role, expires: values.expires }, now);
      out.stdout.write(`${secret}\n`);
      const what = token.admin ? 'admin' : `${(await repos.tokens.grantsOf(token.id)).length} app role(s)`;
      const until = token.expiresAt ? `expires ${token.expiresAt.toISOString()}` : 'never expires';
      out.stderr.write(
        `created the API token "${token.name}" (${what}; ${until}) in ${where}. Its secret is on stdout, shown this once: store it now. Send it as "Authorization: Bearer <secret>".\n`,
      );
    } else if (command === 'list') {
      const tokens = await listTokens(repos, now);
      out.stdout.write(values.json ? `${JSON.stringify(tokens, null, 2)}\n` : `${formatTokenTable(tokens)}\n`);
    } else {
      const token = await revokeTokenNamed(repos, values.name, now);
      out.stdout.write(`revoked the API token "${token.name}"\n`);
      if (!(await announceRevocation(database, token.id))) {
        out.stderr.write('warning: the running cairn replicas were not told in time: the token is refused from now on, but subscriptions it holds open end only when their replica next checks it\n');
      }
      if (token.admin && !(await listTokens(repos, now)).some((t) => t.admin && t.state === 'active')) {
        out.stderr.write('warning: no active admin token remains; create one with: npm run -s token -- create --name <name> --admin\n');
      }
    }
    return 0;
  } finally {
    await database.close();
  }
}

/** How long the command waits for its revocation notice to be sent to the running replicas. */
const ANNOUNCE_MS = 3_000;

/**
 * On PostgreSQL, tells every running cairn replica that the token was revoked (NOTIFY, as a replica's own
 * revokeApiToken does), so they end the subscriptions it holds open at once. True once sent (or on SQLite, where
 * a running cairn shares nothing with this process but the file: its subscriptions end at their next check).
 */
async function announceRevocation(database: Parameters<typeof notificationsOf>[0], tokenId: number): Promise<boolean> {
  const notifications = notificationsOf(database);
  if (!notifications) return true;
  const events = createReplicatedTokenEvents(notifications);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ANNOUNCE_MS)));
  try {
    events.revoked(tokenId);
    return await Promise.race([events.flushed().then(() => true), late]);
  } finally {
    clearTimeout(timer);
    events.close();
  }
}
