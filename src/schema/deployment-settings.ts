import type { ConfigSettings } from '../domain/config-types.js';
import { builder } from './builder.js';
import { DirectoryMountRef, EnvVarRef, FileMountRef, LifecycleHandlerRef, LogCollectionRef, PortMappingRef, ProbeRef } from './config-parts.js';
import { OfficialImageKindEnum } from './enums.js';

/**
 * Every setting of a deployment configuration except the tag: shared by an environment's draft
 * (DeploymentConfig) and by a Template. The same fields are accepted by DeploymentConfigInput.
 */
export const DeploymentSettingsInterface = builder.interfaceRef<{ settings: ConfigSettings }>('DeploymentSettings').implement({
  description:
    'Every setting of a deployment configuration except the image tag. DeploymentConfigInput takes the same fields, so a query result can be sent back as input.',
  fields: (t) => ({
    officialImage: t.field({
      type: OfficialImageKindEnum,
      nullable: true,
      description: 'The official image these settings started from (its defaults filled what was omitted); null for a custom image.',
      resolve: (c) => c.settings.officialImage,
    }),
    image: t.string({
      nullable: true,
      description: 'The image reference without tag (e.g. `springboot2` or `registry.example.com/team/app`); null until set.',
      resolve: (c) => c.settings.image,
    }),
    instances: t.int({ description: 'How many instances (pods) to run; 1 is allowed but at least 2 are recommended.', resolve: (c) => c.settings.instances }),
    cpuMillicores: t.int({ description: 'CPU per instance in millicores (1000 = one core); request and limit.', resolve: (c) => c.settings.cpuMillicores }),
    memoryMb: t.int({
      description: 'Memory per instance in MB (request and limit); a container that goes over it is OOM-killed.',
      resolve: (c) => c.settings.memoryMb,
    }),
    deployRootDir: t.string({
      nullable: true,
      description: 'Where a code package is deployed in the container (the official images use /acs/code); null when unused.',
      resolve: (c) => c.settings.deployRootDir,
    }),
    logCollection: t.field({ type: LogCollectionRef, description: 'Which log files are collected, and where to.', resolve: (c) => c.settings.logCollection }),
    ports: t.field({ type: [PortMappingRef], description: 'The exposed container ports.', resolve: (c) => c.settings.ports }),
    env: t.field({ type: [EnvVarRef], description: 'The environment variables (secret values are never returned).', resolve: (c) => c.settings.env }),
    fileMounts: t.field({ type: [FileMountRef], description: 'Texts that appear as files in the container.', resolve: (c) => c.settings.fileMounts }),
    directoryMounts: t.field({ type: [DirectoryMountRef], description: 'Container directories stored on the host.', resolve: (c) => c.settings.directoryMounts }),
    livenessProbe: t.field({
      type: ProbeRef,
      nullable: true,
      description: 'When it fails, the container is restarted; null for none.',
      resolve: (c) => c.settings.livenessProbe,
    }),
    readinessProbe: t.field({
      type: ProbeRef,
      nullable: true,
      description: 'Gates traffic: an instance receives traffic, and a release batch completes, only once it passes; null for none.',
      resolve: (c) => c.settings.readinessProbe,
    }),
    postStart: t.field({
      type: LifecycleHandlerRef,
      nullable: true,
      description: 'Runs right after the container is created; if it fails the container is killed, if it hangs the container never runs. Null for none.',
      resolve: (c) => c.settings.postStart,
    }),
    preStop: t.field({
      type: LifecycleHandlerRef,
      nullable: true,
      description: 'Runs before the container is stopped; it is killed after terminationGracePeriodSeconds. Null for none.',
      resolve: (c) => c.settings.preStop,
    }),
    terminationGracePeriodSeconds: t.int({
      description: 'Seconds a stopping container gets (PreStop hook included) before it is killed.',
      resolve: (c) => c.settings.terminationGracePeriodSeconds,
    }),
  }),
});
