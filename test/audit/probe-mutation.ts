/**
 * A mutation added the way any new one is (a field on the builder, nothing about auditing), before
 * the schema is built: import this module before anything that imports src/schema/index.ts. It
 * exists only in the test files that import it (vitest isolates modules per file).
 */
import { NotAllowedError, NotFoundError } from '../../src/domain/errors.js';
import { builder } from '../../src/schema/builder.js';

const ProbeInput = builder.inputType('AuditProbeInput', {
  description: 'What the probe should do.',
  fields: (t) => ({
    app: t.id({ description: 'An app the probe acts on.' }),
    outcome: t.string({ required: true, description: 'ok, not-found, not-allowed-thrown or crash.' }),
    password: t.string({ description: 'A secret to be masked.' }),
  }),
});

const ProbePayload = builder.objectRef<{ done: boolean }>('AuditProbePayload').implement({
  description: 'The probe ran.',
  authScopes: { authenticated: true },
  fields: (t) => ({ done: t.exposeBoolean('done', { description: 'Always true.' }) }),
});

builder.mutationField('auditProbe', (t) =>
  t.field({
    type: ProbePayload,
    description: 'A mutation only tests have.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: ProbeInput, required: true, description: 'What to do.' }) },
    errors: { types: [NotFoundError], union: { name: 'AuditProbeResult', description: 'The probe or an error.' } },
    resolve: async (_root, { input }) => {
      await Promise.resolve();
      if (input.outcome === 'not-found') throw new NotFoundError('App', String(input.app), ['input', 'app']);
      if (input.outcome === 'not-allowed-thrown') throw new NotAllowedError('Not in this state.'); // not among its error types: thrown through
      if (input.outcome === 'crash') throw new Error('disk on fire at /var/lib/cairn');
      return { done: true };
    },
  }),
);
