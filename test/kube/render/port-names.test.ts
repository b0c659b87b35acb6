/** Port names as rendered: verbatim in the container, unique in the Service. */
import { describe, expect, it } from 'vitest';
import type { PortMapping } from '../../../src/domain/config-types.js';
import { emptySettings } from '../../../src/domain/config-types.js';
import { containerPortName, renderPodTemplate, servicePortNames } from '../../../src/kube/render/index.js';

const target = { appName: 'shop', environmentKind: 'PRODUCTION' as const };
const port = (containerPort: number, name: string | null, protocol: 'TCP' | 'UDP' = 'TCP'): PortMapping => ({ containerPort, protocol, name });

describe('container port names', () => {
  it('are the mappings\' names verbatim, so names that differ stay different', () => {
    const ports = [port(80, 'web-a'), port(81, 'web-b'), port(82, null)];
    const template = renderPodTemplate(target, 1, 'nginx:1', { ...emptySettings(), image: 'nginx', ports });
    expect(template.spec!.containers[0]!.ports).toEqual([
      { containerPort: 80, protocol: 'TCP', name: 'web-a' },
      { containerPort: 81, protocol: 'TCP', name: 'web-b' },
      { containerPort: 82, protocol: 'TCP' },
    ]);
    expect(containerPortName(port(81, 'web--a'))).toBe('web--a');
  });
});

describe('Service port names', () => {
  it('name an unnamed mapping <protocol>-<port>', () => {
    expect(servicePortNames([port(80, 'http'), port(53, null, 'UDP'), port(9000, null)])).toEqual(['http', 'udp-53', 'tcp-9000']);
  });

  it('pick a fallback after seeing every given name, so they never collide, in either order', () => {
    expect(servicePortNames([port(82, 'tcp-81'), port(81, null)])).toEqual(['tcp-81', 'tcp-81-2']);
    expect(servicePortNames([port(81, null), port(82, 'tcp-81')])).toEqual(['tcp-81-2', 'tcp-81']);
    expect(servicePortNames([port(81, null), port(82, 'tcp-81'), port(83, 'tcp-81-2')])).toEqual(['tcp-81-3', 'tcp-81', 'tcp-81-2']);
  });
});
