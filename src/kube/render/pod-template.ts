import type { V1Container, V1EnvVar, V1LifecycleHandler, V1PodTemplateSpec, V1Probe, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { Action, ConfigSettings, Probe } from '../../domain/config-types.js';
import { fileMountKey } from './configmap.js';
import { renderLogCollection } from './log-collection.js';
import { secretKey } from './secret.js';
import { ANNOTATION_LOG_PATHS, ANNOTATION_LOG_STORE, containerPortName, names, revisionLabels, type NameTarget } from './names.js';

function handler(action: Action): V1LifecycleHandler {
  if (action.http) return { httpGet: { path: action.http.path, port: action.http.port as never, scheme: action.http.scheme } };
  return { exec: { command: action.exec?.command ?? [] } };
}

function probe(p: Probe, liveness: boolean): V1Probe {
  return {
    ...handler(p),
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    // Kubernetes requires 1 for liveness (and startup) probes.
    successThreshold: liveness ? 1 : p.successThreshold,
    failureThreshold: p.failureThreshold,
  };
}

function envVars(t: NameTarget, revision: number, settings: ConfigSettings): V1EnvVar[] {
  const secretName = names.secret(t, revision);
  return settings.env.map((e, i) =>
    e.secret ? { name: e.name, valueFrom: { secretKeyRef: { name: secretName, key: secretKey(e.name, i) } } } : { name: e.name, value: e.value },
  );
}

/**
 * The pod template of a revision: one container running the image with the revision's settings.
 * Resources: requests = limits (cpu `<m>m`, memory `<mb>Mi`), so that going over the memory is an
 * OOM kill the user sees. File mounts come from the revision's ConfigMap (one subPath per file),
 * secret env vars from its Secret; directory mounts are hostPath volumes (DirectoryOrCreate); log
 * collection adds the collector's variables and emptyDir volumes at the log directories
 * (log-collection.ts).
 * The deploy root directory is the image's business (code packages), not the pod's: not rendered.
 */
export function renderPodTemplate(t: NameTarget, revision: number, image: string, settings: ConfigSettings): V1PodTemplateSpec {
  const volumes: V1Volume[] = [];
  const volumeMounts: V1VolumeMount[] = [];
  if (settings.fileMounts.length > 0) {
    volumes.push({ name: 'files', configMap: { name: names.configMap(t, revision) } });
    settings.fileMounts.forEach((f, i) => volumeMounts.push({ name: 'files', mountPath: f.path, subPath: fileMountKey(f.path, i), readOnly: true }));
  }
  settings.directoryMounts.forEach((d, i) => {
    volumes.push({ name: `dir-${i}`, hostPath: { path: d.hostPath, type: 'DirectoryOrCreate' } });
    volumeMounts.push({ name: `dir-${i}`, mountPath: d.containerPath });
  });
  const logs = renderLogCollection(t, settings, volumeMounts.map((m) => m.mountPath!));
  volumes.push(...logs.volumes);
  volumeMounts.push(...logs.volumeMounts);

  const container: V1Container = {
    name: names.container(t),
    image,
    imagePullPolicy: 'IfNotPresent',
    ports: settings.ports.map((p) => {
      const name = containerPortName(p);
      return { containerPort: p.containerPort, protocol: p.protocol, ...(name ? { name } : {}) };
    }),
    env: [...envVars(t, revision, settings), ...logs.env],
    resources: {
      requests: { cpu: `${settings.cpuMillicores}m`, memory: `${settings.memoryMb}Mi` },
      limits: { cpu: `${settings.cpuMillicores}m`, memory: `${settings.memoryMb}Mi` },
    },
    ...(settings.livenessProbe ? { livenessProbe: probe(settings.livenessProbe, true) } : {}),
    ...(settings.readinessProbe ? { readinessProbe: probe(settings.readinessProbe, false) } : {}),
    ...(settings.postStart || settings.preStop
      ? {
          lifecycle: {
            ...(settings.postStart ? { postStart: handler(settings.postStart) } : {}),
            ...(settings.preStop ? { preStop: handler(settings.preStop) } : {}),
          },
        }
      : {}),
    volumeMounts,
  };

  const annotations: Record<string, string> = {};
  if (settings.logCollection.paths.length > 0) annotations[ANNOTATION_LOG_PATHS] = settings.logCollection.paths.join(',');
  if (settings.logCollection.logStore) annotations[ANNOTATION_LOG_STORE] = settings.logCollection.logStore;

  return {
    metadata: { labels: revisionLabels(t, revision), ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      containers: [container],
      volumes,
      terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
      restartPolicy: 'Always',
    },
  };
}
