/**
 * Releases an image tag to an app's environment with cairn's typed client, and waits for the end:
 *
 *   CAIRN_TOKEN=… node --import tsx examples/typescript/src/release.ts shop-web TEST 2.7.18 [batches]
 *
 * It sets the tag on the draft, previews the release (stopping on problems), submits it without
 * pausing, and reads the order once a second until it is COMPLETED (exit 0) or stops otherwise (exit 1).
 * Each operation is sent as its persisted hash (examples/operations.ids.json), not as a document.
 */
import { readFileSync } from 'node:fs';
import { cairnClient } from './cairn-client.js';
import {
  CreateReleaseOrderDocument,
  type EnvironmentKind,
  FindEnvironmentDocument,
  PreviewReleaseDocument,
  ReleaseOrderStateDocument,
  SetImageTagDocument,
} from './gql/graphql.js';

const [appName, kindArg, imageTag, batchesArg = '2'] = process.argv.slice(2);
if (!appName || !kindArg || !imageTag || !['TEST', 'PRODUCTION'].includes(kindArg)) {
  console.error('usage: release.ts <app name> <TEST|PRODUCTION> <image tag> [batches]');
  process.exit(2);
}
const kind = kindArg as EnvironmentKind;
const batchCount = Number(batchesArg);
// The operations' hashes (npm run examples:codegen writes them): only those are sent, so the example runs under CAIRN_PERSISTED_ONLY=true.
const persisted = JSON.parse(readFileSync(new URL('../../operations.ids.json', import.meta.url), 'utf8')) as Record<string, string>;
const request = cairnClient({ url: process.env.CAIRN_URL ?? 'http://127.0.0.1:4000/graphql', token: process.env.CAIRN_TOKEN ?? '', persisted });

const found = await request(FindEnvironmentDocument, { name: appName, kind });
const app = found.apps.edges.map((e) => e.node).find((a) => a.name === appName);
if (!app) throw new Error(`no app named ${appName}`);
const environment = app.environment;
console.log(`${app.name} ${kind} on ${environment.clusterName}: deployed ${environment.deployedRevision?.imageTag ?? 'nothing yet'}`);

const tagged = await request(SetImageTagDocument, { environment: environment.id, imageTag });
if (tagged.setImageTag.__typename !== 'SetImageTagPayload') throw new Error(`setImageTag: ${JSON.stringify(tagged.setImageTag)}`);

const preview = (await request(PreviewReleaseDocument, { environment: environment.id, batchCount })).previewRelease;
if (preview.__typename !== 'ReleasePreview') throw new Error(`previewRelease: ${preview.message}`);
for (const change of preview.changes) console.log(`  ${change.path.join('.')}: ${change.before ?? '–'} → ${change.after ?? '–'}`);
if (preview.problems.length > 0) throw new Error(`refused: ${preview.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);

const created = (await request(CreateReleaseOrderDocument, { environment: environment.id, batchCount, pauseMode: 'NONE', description: `release ${imageTag}` }))
  .createReleaseOrder;
if (created.__typename !== 'ReleaseOrderPayload') throw new Error(`createReleaseOrder: ${created.__typename}: ${created.message}`);
const order = created.releaseOrder;
console.log(`order ${order.id}: revision ${order.revision.number} (${order.revision.imageReference}) in batches of ${order.batchSizes.join(', ')}`);

let last = '';
for (;;) {
  const current = (await request(ReleaseOrderStateDocument, { id: order.id })).releaseOrder;
  if (!current) throw new Error(`order ${order.id} is gone`);
  const line = `order ${current.state}: ${current.batchesDone} of ${current.batchCount} batches done`;
  if (line !== last) console.log((last = line));
  for (const failure of current.failures.filter((f) => !f.resolvedAt)) console.log(`  ${failure.instanceName}: ${failure.reason}: ${failure.message}`);
  if (current.state === 'COMPLETED') break;
  if (!['DEPLOYING', 'ROLLING_BACK'].includes(current.state)) process.exit(1);
  await new Promise((wake) => setTimeout(wake, 1000));
}
