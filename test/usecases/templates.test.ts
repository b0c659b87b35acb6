import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidInputError, NotAllowedError, NotFoundError } from '../../src/domain/errors.js';
import { updateDeploymentConfig } from '../../src/usecases/configs.js';
import { applyTemplate, deleteTemplate, renameTemplate, saveTemplate } from '../../src/usecases/templates.js';
import { appIn, describeUseCases, thrown, viewer, world } from './fixture.js';

describeUseCases('use cases: templates', (target) => {
  describe('templates', () => {
    it("save a draft without its tag, for the environment's app; apply it to another draft, which keeps its tag", async () => {
      const w = await world(target);
      const { app, production } = await appIn(w);
      const other = await appIn(w, 'depot');
      const template = await saveTemplate(w, { id: production.id }, '  nginx base  ');
      expect(template).toMatchObject({ name: 'nginx base', sourceAppId: app.id });
      const targetDraft = (await w.repos.configs.byEnvironmentId(other.test.id))!;
      const { config } = await applyTemplate(w, { id: template.id }, { id: other.test.id });
      expect(config).toMatchObject({ imageTag: targetDraft.imageTag, settings: template.settings });
      expect(w.logged).toContain('template saved');
    });

    it('check the name before the environment, and refuse a taken one', async () => {
      const w = await world(target);
      const { production } = await appIn(w);
      expect(await thrown(() => saveTemplate(w, { id: null, sent: 'bad' }, ' '))).toBeInstanceOf(InvalidInputError);
      expect(await thrown(() => saveTemplate(w, { id: null, sent: 'bad' }, 'base'))).toMatchObject({ code: 'NOT_FOUND', path: ['input', 'environment'] });
      await saveTemplate(w, { id: production.id }, 'base');
      const taken = await thrown(() => saveTemplate(w, { id: production.id }, 'base'));
      expect(taken).toBeInstanceOf(AlreadyExistsError);
      expect(taken.path).toEqual(['input', 'name']);
    });

    it("are NotFound for a caller who may not read them: admins and the source app's OWNERs read them", async () => {
      const w = await world(target);
      const { app, production } = await appIn(w);
      const other = await appIn(w, 'depot');
      const template = await saveTemplate(w, { id: production.id }, 'base');
      w.viewer = viewer(false, [[other.app.id, 'OWNER']]);
      const hidden = await thrown(() => applyTemplate(w, { id: template.id }, { id: other.test.id }));
      expect(hidden).toBeInstanceOf(NotFoundError);
      expect(hidden).toMatchObject({ typename: 'Template', path: ['input', 'template'] });
      w.viewer = viewer(false, [[app.id, 'OWNER'], [other.app.id, 'OWNER']]);
      expect((await applyTemplate(w, { id: template.id }, { id: other.test.id })).config.settings).toEqual(template.settings);
    });

    it('holding secret values, may be applied by admins only', async () => {
      const w = await world(target);
      const { app, production } = await appIn(w);
      const draft = (await w.repos.configs.byEnvironmentId(production.id))!;
      await updateDeploymentConfig(w, { id: production.id }, { version: draft.version, config: { officialImage: 'NGINX', env: [{ name: 'DB_PASSWORD', value: 'hunter2', secret: true }] } });
      const template = await saveTemplate(w, { id: production.id }, 'with secrets');
      expect((await w.repos.templates.byIds([template.id]))[0]!.settings.env[0]!.value).toBe('hunter2');
      w.viewer = viewer(false, [[app.id, 'OWNER']]);
      const error = await thrown(() => applyTemplate(w, { id: template.id }, { id: production.id }));
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error.message).toContain('holds secret values');
    });

    it('rename (the same name changes nothing) and delete', async () => {
      const w = await world(target);
      const { production } = await appIn(w);
      const template = await saveTemplate(w, { id: production.id }, 'base');
      expect(await renameTemplate(w, { id: template.id }, 'base')).toEqual(template);
      expect(await renameTemplate(w, { id: template.id }, 'web')).toMatchObject({ id: template.id, name: 'web' });
      expect(await deleteTemplate(w, { id: template.id })).toMatchObject({ id: template.id });
      expect(await thrown(() => deleteTemplate(w, { id: template.id }))).toMatchObject({ code: 'NOT_FOUND', path: ['input', 'id'] });
    });
  });
});
