import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import { configWarnings, type Warning } from '../domain/config-rules.js';
import { addedLogVolumeWarnings } from '../domain/log-collection.js';
import type { Problem } from '../domain/problems.js';
import { diffConfigs, type ConfigChange } from '../engine/diff.js';
import { draftProblems } from '../engine/orders.js';
import { planBatches } from '../engine/plan.js';
import type { EnvironmentRow } from '../db/tables.js';
import type { ReleaseOrderRow, RevisionRow } from '../db/release-tables.js';
import { imageReference } from '../domain/image-reference.js';
import { idIn, readRule, REACHED_THROUGH_PARENT } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { InputProblemRef } from './errors.js';
import { localId } from './ids.js';
import { EnvironmentRef } from './refs.js';
import { deployedRevisionOf } from './release-environment.js';
import { ReleaseOrderRef, RevisionRef } from './release-refs.js';
import { ConfigWarningRef } from './warning.js';

interface Preview {
  environment: EnvironmentRow;
  deployedRevision: RevisionRow | null;
  imageReference: string | null;
  batchSizes: number[];
  changes: ConfigChange[];
  warnings: Warning[];
  problems: Problem[];
  activeReleaseOrder: ReleaseOrderRow | null;
}

const ConfigChangeRef = builder.objectRef<ConfigChange>('ConfigChange').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'One setting that differs between the deployed revision and the draft.',
  fields: (t) => ({
    path: t.exposeStringList('path', {
      description: 'The setting\'s path; list items are named by what identifies them, e.g. ["env", "LOG_LEVEL", "value"], ["ports", "8080/TCP", "name"], ["fileMounts", "/etc/app.conf", "content"].',
    }),
    before: t.exposeString('before', { nullable: true, description: 'The deployed value as text (JSON for non-strings); null when absent (or before the first release).' }),
    after: t.exposeString('after', { nullable: true, description: 'The draft\'s value as text; null when the draft drops the setting.' }),
    secret: t.exposeBoolean('secret', { description: 'A secret value: both sides are masked.' }),
  }),
});

const ReleasePreviewRef = builder.objectRef<Preview>('ReleasePreview').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'What a release order of the draft would do, before submitting it.',
  fields: (t) => ({
    environment: t.field({ type: EnvironmentRef, description: 'The environment previewed.', resolve: (p) => p.environment }),
    deployedRevision: t.field({ type: RevisionRef, nullable: true, description: 'What runs now; null before the first release.', resolve: (p) => p.deployedRevision }),
    imageReference: t.exposeString('imageReference', { nullable: true, description: 'The full image reference the order would deploy; null while the draft names no image.' }),
    batchSizes: t.intList({ description: 'The batch plan: the size of each batch, in order (sizes differ by at most one, larger first).', resolve: (p) => p.batchSizes }),
    changes: t.field({ type: [ConfigChangeRef], description: 'Field-by-field differences from the deployed revision to the draft (everything, before the first release).', resolve: (p) => p.changes }),
    warnings: t.field({ type: [ConfigWarningRef], description: 'The draft\'s warnings: accepted, but probably not what you want.', resolve: (p) => p.warnings }),
    problems: t.field({ type: [InputProblemRef], description: 'Why the draft cannot be released yet; empty when it can.', resolve: (p) => p.problems }),
    activeReleaseOrder: t.field({
      type: ReleaseOrderRef,
      nullable: true,
      description: 'The order in progress on the environment, which would refuse a new one; null when none is.',
      resolve: (p) => p.activeReleaseOrder,
    }),
  }),
});

builder.queryFields((t) => ({
  previewRelease: t.field({
    type: ReleasePreviewRef,
    description: 'Shows what releasing the environment\'s draft would do: the batch plan, the differences from what runs, and the config\'s warnings. Changes nothing. ' + ACCESS.read,
    authScopes: readRule(idIn((a: { environment: string }) => a.environment, 'Environment')),
    unauthorizedResolver: (_root, args) => {
      throw new NotFoundError('Environment', String(args.environment), ['environment']);
    },
    args: {
      environment: t.arg.id({ required: true, description: 'The environment\'s global ID.' }),
      batchCount: t.arg.int({ required: true, description: 'Into how many batches to split the instances (1 to the instance count).' }),
    },
    errors: { types: [NotFoundError, InvalidInputError], union: { name: 'PreviewReleaseResult', description: 'The preview, or why it cannot be made.' } },
    resolve: async (_root, args, ctx) => {
      const path = ['environment'];
      const envId = localId(String(args.environment), 'Environment', path);
      const environment = (await ctx.repos.apps.environmentsByIds([envId]))[0];
      if (!environment) throw new NotFoundError('Environment', String(args.environment), path);
      const [found, deployed, active] = await Promise.all([
        ctx.repos.configs.byEnvironmentId(envId),
        deployedRevisionOf(ctx.repos, envId),
        ctx.repos.releases.activeOrderOf(envId),
      ]);
      const draft = found!;
      return {
        environment,
        deployedRevision: deployed,
        imageReference: imageReference(draft.settings, draft.imageTag),
        batchSizes: planBatches(draft.settings.instances, args.batchCount, ['batchCount']),
        changes: diffConfigs(deployed && { imageTag: deployed.imageTag, settings: deployed.settings }, { imageTag: draft.imageTag, settings: draft.settings }),
        warnings: [...configWarnings(draft.settings, []), ...addedLogVolumeWarnings(deployed?.settings ?? null, draft.settings, [])],
        problems: draftProblems(draft.imageTag, draft.settings),
        activeReleaseOrder: active ?? null,
      };
    },
  }),
}));
