import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError } from '../../src/domain/errors.js';
import { setImageTag, setInstanceCount, updateDeploymentConfig } from '../../src/usecases/configs.js';
import { appIn, describeUseCases, thrown, viewer, world } from './fixture.js';

describeUseCases('use cases: draft configurations', (target) => {
  describe('setInstanceCount', () => {
    it('changes the instance count alone, bumps the version, and warns below 2', async () => {
      const w = await world(target);
      const { production } = await appIn(w);
      const before = (await w.repos.configs.byEnvironmentId(production.id))!;
      const { config, warnings } = await setInstanceCount(w, { id: production.id }, { instances: 1, version: before.version });
      expect(config).toMatchObject({ version: before.version + 1, imageTag: before.imageTag, settings: { ...before.settings, instances: 1 } });
      expect(warnings.map((x) => x.code)).toEqual(['FEW_INSTANCES']);
      expect(w.logged).toContain('deployment config changed');
    });

    it('skips a write that changes nothing', async () => {
      const w = await world(target);
      const { production } = await appIn(w);
      const before = (await w.repos.configs.byEnvironmentId(production.id))!;
      expect((await setInstanceCount(w, { id: production.id }, { instances: before.settings.instances })).config.version).toBe(before.version);
    });

    it('refuses more than the configured maximum at input.instances, and a stale version', async () => {
      const w = await world(target);
      const { production } = await appIn(w);
      const tooMany = await thrown(() => setInstanceCount(w, { id: production.id }, { instances: 11 }));
      expect(tooMany).toBeInstanceOf(InvalidInputError);
      expect(tooMany.problems.map((p: { path: string[] }) => p.path.join('.'))).toEqual(['input.instances']);
      const stale = await thrown(() => setInstanceCount(w, { id: production.id }, { instances: 3, version: 99 }));
      expect(stale).toBeInstanceOf(ConflictError);
      expect(stale).toMatchObject({ expectedVersion: 99, currentVersion: 1 });
    });

    it('is a NotFoundError at input.environment for an environment that does not exist', async () => {
      const w = await world(target);
      const error = await thrown(() => setInstanceCount(w, { id: 5, sent: 'RW52aXJvbm1lbnQ6NQ==' }, { instances: 2 }));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ typename: 'Environment', path: ['input', 'environment'] });
    });
  });

  describe('setImageTag', () => {
    it('changes the tag alone; a malformed tag is refused at input.imageTag', async () => {
      const w = await world(target);
      const { test } = await appIn(w);
      const before = (await w.repos.configs.byEnvironmentId(test.id))!;
      expect(await setImageTag(w, { id: test.id }, { imageTag: '1.27.1' })).toMatchObject({ imageTag: '1.27.1', settings: before.settings });
      const bad = await thrown(() => setImageTag(w, { id: test.id }, { imageTag: 'no spaces' }));
      expect(bad.problems.map((p: { path: string[] }) => p.path.join('.'))).toEqual(['input.imageTag']);
    });
  });

  describe('updateDeploymentConfig', () => {
    const mount = (hostPath: string) => ({ officialImage: 'NGINX' as const, directoryMounts: [{ containerPath: '/data', hostPath }] });

    it("lets an app's OWNER mount only the app's own host directories; an admin any", async () => {
      const w = await world(target);
      const { app, production } = await appIn(w);
      w.viewer = viewer(false, [[app.id, 'OWNER']]);
      const refused = await thrown(() => updateDeploymentConfig(w, { id: production.id }, { version: 1, config: mount('/etc') }));
      expect(refused).toBeInstanceOf(InvalidInputError);
      expect(refused.problems[0].path.slice(0, 3)).toEqual(['input', 'config', 'directoryMounts']);
      const own = await updateDeploymentConfig(w, { id: production.id }, { version: 1, config: mount('/var/log/cairn/shop') });
      expect(own.config.settings.directoryMounts).toEqual([{ containerPath: '/data', hostPath: '/var/log/cairn/shop' }]);
      w.viewer = viewer(true);
      const admin = await updateDeploymentConfig(w, { id: production.id }, { version: own.config.version, config: mount('/etc') });
      expect(admin.config.settings.directoryMounts[0]!.hostPath).toBe('/etc');
    });

    it('needs the version read, and keeps the tag when the input has none', async () => {
      const w = await world(target);
      const { production } = await appIn(w);
      const before = (await w.repos.configs.byEnvironmentId(production.id))!;
      expect(await thrown(() => updateDeploymentConfig(w, { id: production.id }, { version: 0, config: { officialImage: 'NGINX' } }))).toBeInstanceOf(ConflictError);
      const { config } = await updateDeploymentConfig(w, { id: production.id }, { version: before.version, config: { officialImage: 'NGINX', instances: 4 } });
      expect(config).toMatchObject({ imageTag: before.imageTag, settings: { instances: 4 } });
    });
  });
});
