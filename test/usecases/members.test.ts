import { describe, expect, it } from 'vitest';
import { NotAllowedError, NotFoundError } from '../../src/domain/errors.js';
import { membersOf, removeAppMember, setAppMember } from '../../src/usecases/members.js';
import { appIn, describeUseCases, thrown, tokenIn, world } from './fixture.js';
import type { DatabaseUnderTest } from '../db/each-database.js';

/**
 * The use cases' world with a record of the tokens whose rights were reduced (after the commit), and of the
 * announcements to the other replicas, each with whether it was made inside the changing transaction.
 */
async function membersWorld(target: DatabaseUnderTest) {
  const w = await world(target);
  const reduced: number[] = [];
  const announced: Array<[string, number, boolean]> = [];
  const tokenEvents = {
    rightsReduced: (id: number) => void reduced.push(id),
    announce: async (kind: 'revoked' | 'rightsReduced', id: number) => void announced.push([kind, id, w.database.inTransaction()]),
  };
  return { ...w, reduced, announced, tokenEvents };
}

describeUseCases('use cases: app members', (target) => {
  describe('app members', () => {
    it('set a role, change it, and announce only a lowered one', async () => {
      const w = await membersWorld(target);
      const { app } = await appIn(w);
      const [alice, bob] = [await tokenIn(w.repos, 'alice'), await tokenIn(w.repos, 'bob')];
      await setAppMember(w, { id: app.id }, { id: alice.id }, 'OWNER');
      const { member } = await setAppMember(w, { id: app.id }, { id: bob.id }, 'VIEWER');
      expect(member).toMatchObject({ member: { appId: app.id, tokenId: bob.id, role: 'VIEWER' }, token: { name: 'bob' } });
      await setAppMember(w, { id: app.id }, { id: bob.id }, 'DEPLOYER');
      expect(w.reduced).toEqual([]);
      await setAppMember(w, { id: app.id }, { id: bob.id }, 'VIEWER');
      expect(w.reduced).toEqual([bob.id]);
      // Told to the other replicas inside the transaction that lowered it (delivered at its commit), and only then.
      expect(w.announced).toEqual([['rightsReduced', bob.id, true]]);
      expect((await membersOf(w.repos, app.id)).map((m) => [m.token.name, m.member.role])).toEqual([
        ['alice', 'OWNER'],
        ['bob', 'VIEWER'],
      ]);
    });

    it("keep the app's last active OWNER", async () => {
      const w = await membersWorld(target);
      const { app } = await appIn(w);
      const alice = await tokenIn(w.repos, 'alice');
      await setAppMember(w, { id: app.id }, { id: alice.id }, 'OWNER');
      const demote = await thrown(() => setAppMember(w, { id: app.id }, { id: alice.id }, 'VIEWER'));
      expect(demote).toBeInstanceOf(NotAllowedError);
      expect(demote.message).toContain('is the last owner of the app "shop"');
      expect(await thrown(() => removeAppMember(w, { id: app.id }, { id: alice.id }))).toBeInstanceOf(NotAllowedError);
      expect(w.reduced).toEqual([]);
      expect(w.announced).toEqual([]); // refused changes announce nothing
    });

    it('remove a member and announce it; a token that is no member is a NotFound AppMember at input.token', async () => {
      const w = await membersWorld(target);
      const { app } = await appIn(w);
      const [alice, bob] = [await tokenIn(w.repos, 'alice'), await tokenIn(w.repos, 'bob')];
      await setAppMember(w, { id: app.id }, { id: alice.id }, 'OWNER');
      await setAppMember(w, { id: app.id }, { id: bob.id }, 'DEPLOYER');
      expect((await removeAppMember(w, { id: app.id }, { id: bob.id })).token.id).toBe(bob.id);
      expect(w.reduced).toEqual([bob.id]);
      expect(w.announced).toEqual([['rightsReduced', bob.id, true]]);
      const again = await thrown(() => removeAppMember(w, { id: app.id }, { id: bob.id, sent: 'the-sent-id' }));
      expect(again).toBeInstanceOf(NotFoundError);
      expect(again).toMatchObject({ typename: 'AppMember', id: 'the-sent-id', path: ['input', 'token'] });
    });

    it('look the app up before the token', async () => {
      const w = await membersWorld(target);
      const error = await thrown(() => setAppMember(w, { id: 42 }, { id: null, sent: 'x' }, 'VIEWER'));
      expect(error).toMatchObject({ typename: 'App', path: ['input', 'app'] });
    });
  });
});
