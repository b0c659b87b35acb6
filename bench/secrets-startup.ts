/**
 * How long start-up spends on secrets (key check and plaintext migration) over a database with many
 * revisions, and what encrypting and decrypting one settings document costs.
 * Run: npx tsx bench/secrets-startup.ts [revisions]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDatabase } from '../src/db/client.js';
import { createRepositories } from '../src/db/repositories.js';
import { emptySettings } from '../src/domain/config-types.js';
import { createCipher, randomKey } from '../src/secrets/cipher.js';
import { openSettings, sealSettings } from '../src/domain/secret-values.js';
import { prepareSecrets } from '../src/secrets/startup.js';

const count = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-secrets-'));
const databasePath = join(dir, 'cairn.db');
const logger = pino({ level: 'silent' });
const settings = {
  ...emptySettings(),
  image: 'nginx',
  env: [
    ...Array.from({ length: 20 }, (_, i) => ({ name: `PLAIN_${i}`, value: `value-${i}`, secret: false })),
    ...Array.from({ length: 5 }, (_, i) => ({ name: `SECRET_${i}`, value: `s3cr3t-${i}-${'x'.repeat(40)}`, secret: true })),
  ],
};

const database = openDatabase(databasePath);
const cipher = await prepareSecrets({ databasePath }, database, logger);
const repos = createRepositories(database, { cipher });
await repos.transaction(async () => {
  await repos.apps.create({ name: 'bench', businessType: 'ERP', description: '', appType: 'STATELESS', deployMethod: 'CONTAINER', environments: [{ kind: 'PRODUCTION', cluster: 'a', namespace: 'bench', imageTag: '1', settings }] }, new Date());
  for (let i = 0; i < count; i++) await repos.releases.createRevision({ environmentId: 1, image: 'nginx:1', imageTag: '1', settings, createdBy: 'bench' }, new Date());
});
await database.close();

const reopened = openDatabase(databasePath);
let started = performance.now();
await prepareSecrets({ databasePath }, reopened, logger);
const startMs = performance.now() - started;
await reopened.close();

const one = createCipher(randomKey());
const rounds = 10_000;
started = performance.now();
for (let i = 0; i < rounds; i++) openSettings(one, sealSettings(one, settings));
const perDocUs = ((performance.now() - started) / rounds) * 1000;

console.log(`start-up secrets check over ${count} revisions (5 secrets each): ${startMs.toFixed(1)} ms`);
console.log(`seal + open of one settings document with 5 secrets: ${perDocUs.toFixed(1)} µs`);
rmSync(dir, { recursive: true, force: true });
