/**
 * The command line for API tokens, for bootstrapping and for operators with access to the database:
 *
 *   npm run -s token -- create --name ci --admin [--expires 2027-01-01]
 *   npm run -s token -- create --name web-deployer --app shop-web --role DEPLOYER [--app … --role …]
 *   npm run -s token -- list [--json]
 *   npm run -s token -- revoke --name ci
 *
 * It opens the configured database (CAIRN_DATABASE_URL, else CAIRN_DATABASE; migrated on open) and uses the same code as the
 * API. `create` prints the secret, and only the secret, on stdout (so `$(npm run -s token -- create …)`
 * captures it); messages go to stderr. Bad input: a message on stderr and exit code 1.
 */
import { runTokenCli } from './token-run.js';

process.exitCode = await runTokenCli(process.argv.slice(2), process, process.env);
