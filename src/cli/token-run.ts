/** The token command line's logic (src/cli/token.ts is its entry point). */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openConfiguredDatabase, redactedDatabaseUrl } from '../db/pg/database-url.js';
import type { Database } from '../db/database.js';
import { CHANNELS } from '../db/pg/notifications.js';
import { createRepositories } from '../db/repositories.js';
import { tokenPayload } from '../auth/replicated-token-events.js';
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
      // On PostgreSQL the running replicas are told inside the revoking transaction: they hear it when it commits, and
      // end the subscriptions the token holds open at once.
      const token = await database.transaction(async () => {
        const revoked = await revokeTokenNamed(repos, values.name, now);
        await announceRevocation(database, revoked.id);
        return revoked;
      });
      out.stdout.write(`revoked the API token "${token.name}"\n`);
      if (token.admin && !(await listTokens(repos, now)).some((t) => t.admin && t.state === 'active')) {
        out.stderr.write('warning: no active admin token remains; create one with: npm run -s token -- create --name <name> --admin\n');
      }
    }
    return 0;
  } finally {
    await database.close();
  }
}

/**
 * On PostgreSQL, tells every running cairn replica that the token was revoked (NOTIFY in the caller's transaction, as a
 * replica's own revokeApiToken does), so they end the subscriptions it holds open when the revocation commits. On
 * SQLite a running cairn shares nothing with this process but the file: its subscriptions end at their next check.
 */
async function announceRevocation(database: Database, tokenId: number): Promise<void> {
  await database.announce?.(CHANNELS.tokens, tokenPayload(`cli-${process.pid}`, 'revoked', tokenId));
}
