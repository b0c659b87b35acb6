import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidInputError, NotAllowedError, NotFoundError } from '../../src/domain/errors.js';
import { createApiToken, revokeApiToken } from '../../src/usecases/tokens.js';
import { appIn, describeUseCases, NOW, thrown, world } from './fixture.js';
import type { DatabaseUnderTest } from '../db/each-database.js';

async function tokensWorld(target: DatabaseUnderTest) {
  const w = await world(target);
  const revoked: number[] = [];
  const announced: Array<[string, number, boolean]> = [];
  const tokenEvents = {
    revoked: (id: number) => void revoked.push(id),
    // With whether it was made inside the revoking transaction (the other replicas hear it at its commit).
    announce: async (kind: 'revoked' | 'rightsReduced', id: number) => void announced.push([kind, id, w.database.inTransaction()]),
  };
  return { ...w, revoked, announced, tokenEvents };
}

describeUseCases('use cases: API tokens', (target) => {
  describe('API tokens', () => {
    it('are created with their grants and a secret, by the calling token', async () => {
      const w = await tokensWorld(target);
      const { app } = await appIn(w);
      const { token, secret } = await createApiToken(w, { name: 'ci', grants: [{ app: { id: app.id }, role: 'DEPLOYER' }] }, 'root');
      expect(token).toMatchObject({ name: 'ci', admin: false, createdBy: 'root', createdAt: NOW });
      expect(secret.length).toBeGreaterThan(20);
      expect(await w.repos.tokens.membersOf(app.id)).toMatchObject([{ tokenId: token.id, role: 'DEPLOYER' }]);
      expect(w.logged).toContain('API token created');
    });

    it('report the problems of the spec first, then grants of apps that do not exist, then a taken name', async () => {
      const w = await tokensWorld(target);
      const { app } = await appIn(w);
      const dup = await thrown(() =>
        createApiToken(w, { name: 'ci', grants: [{ app: { id: app.id }, role: 'VIEWER' }, { app: { id: app.id }, role: 'OWNER' }, { app: { id: null, sent: '?' }, role: 'VIEWER' }] }, 'root'),
      );
      expect(dup).toBeInstanceOf(InvalidInputError);
      expect(dup.problems.map((p: { path: string[] }) => p.path.join('.'))).toEqual(['input.grants.1.app']);
      const missing = await thrown(() => createApiToken(w, { name: 'ci', grants: [{ app: { id: app.id }, role: 'VIEWER' }, { app: { id: null, sent: '?' }, role: 'VIEWER' }] }, 'root'));
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing).toMatchObject({ id: '?', path: ['input', 'grants', '1', 'app'] });
      await createApiToken(w, { name: 'ci' }, 'root');
      expect(await thrown(() => createApiToken(w, { name: 'ci' }, 'root'))).toBeInstanceOf(AlreadyExistsError);
    });

    it('are revoked once, and the revocation is announced', async () => {
      const w = await tokensWorld(target);
      await createApiToken(w, { name: 'root', admin: true }, 'root');
      const { token } = await createApiToken(w, { name: 'ci' }, 'root');
      expect((await revokeApiToken(w, { id: token.id })).revokedAt).toEqual(NOW);
      expect(w.revoked).toEqual([token.id]);
      expect(w.announced).toEqual([['revoked', token.id, true]]);
      expect(await thrown(() => revokeApiToken(w, { id: token.id }))).toBeInstanceOf(NotAllowedError);
      expect(await thrown(() => revokeApiToken(w, { id: 999 }))).toMatchObject({ code: 'NOT_FOUND', path: ['input', 'id'] });
      expect(w.announced).toHaveLength(1); // a refused revocation announces nothing
    });
  });
});
