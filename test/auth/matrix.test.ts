/**
 * The roles × operations matrix: every root field of the schema, called by an admin, the OWNER,
 * DEPLOYER and VIEWER of app A, an OWNER of app B only, an expired token, a revoked token and no
 * token, over HTTP, graphql-ws and SSE (subscriptions: graphql-ws and SSE) against the real server
 * on port 0. Each call is allowed or denied as the roles say; each allowed mutation writes its audit
 * entry, each refused one a DENIED entry.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { ROLES, type MatrixServer, type Role } from './matrix-server.js';
import { useMatrix } from './use-matrix.js';
import { allowed, OPERATIONS, type OperationCase } from './operations.js';
import type { Caller, Outcome, Transport } from './transports.js';

let m: MatrixServer;
let caller: Caller;

useMatrix((running) => ({ m, caller } = running));

const UNAUTHENTICATED: readonly Role[] = ['expired', 'revoked', 'none'];

function auditRows(action: string, actor: string) {
  const { auditEntries } = m.database.t;
  return m.database.read((db) => db.select().from(auditEntries).where(and(eq(auditEntries.action, action), eq(auditEntries.actorName, actor))));
}

/** What the role should see, as a line the failure message shows next to the outcome. */
function check(field: string, op: OperationCase, role: Role, outcome: Outcome): string | null {
  const said = `${field} as ${role}: ${outcome.raw.slice(0, 600)}`;
  if (UNAUTHENTICATED.includes(role)) return outcome.unauthenticated ? null : `expected 401 / UNAUTHENTICATED — ${said}`;
  if (outcome.unauthenticated) return `unexpected UNAUTHENTICATED — ${said}`;
  if (allowed(role, op.need)) {
    if (outcome.forbidden || outcome.errors.length > 0) return `expected allowed, got errors — ${said}`;
    if (op.kind !== 'subscription' && outcome.value === undefined) return `expected an answer — ${said}`;
    if (op.shows && !op.shows(outcome.value)) return `expected the object to show — ${said}`;
    return null;
  }
  if (op.denial === 'forbidden') return outcome.forbidden && outcome.value == null ? null : `expected FORBIDDEN — ${said}`;
  if (outcome.forbidden || outcome.errors.length > 0) return `expected the answer of an ID that names nothing, not an error — ${said}`;
  return op.shows!(outcome.value) ? `expected the object hidden — ${said}` : null;
}

it('has a row for every root field of the schema, and none for a field that is gone', () => {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  const fields = roots.flatMap((t) => Object.keys(t?.getFields() ?? {}).map((f) => `${t!.name}.${f}`));
  const rows = Object.entries(OPERATIONS).map(([f, op]) => `${op.kind === 'query' ? 'Query' : op.kind === 'mutation' ? 'Mutation' : 'Subscription'}.${f}`);
  expect(rows.sort()).toEqual(fields.sort());
});

const transportsOf = (op: OperationCase): Transport[] => (op.kind === 'subscription' ? ['ws', 'sse'] : ['http', 'ws', 'sse']);
const cases = Object.entries(OPERATIONS).flatMap(([field, op]) => transportsOf(op).map((transport) => ({ field, op, transport })));

describe.each(['http', 'ws', 'sse'] as const)('over %s', (transport) => {
  const mine = cases.filter((c) => c.transport === transport);
  it.each(mine.map((c) => [c.field, c.op] as const))('%s: every role allowed or denied as its rights say', async (field, op) => {
    const problems: string[] = [];
    for (const role of ROLES) {
      const actor = m.names[role];
      const before = op.kind === 'mutation' ? (await auditRows(field, actor)).length : 0;
      const outcome = await caller.run(transport, m.secrets[role], op.document, await op.variables(m, role));
      const problem = check(field, op, role, outcome);
      if (problem) problems.push(problem);
      if (op.kind !== 'mutation' || UNAUTHENTICATED.includes(role)) continue;
      // The audit trail: one entry per call, DENIED exactly for the refused ones.
      const added = (await auditRows(field, actor)).slice(before);
      const expected = allowed(role, op.need) ? 'not DENIED' : 'DENIED';
      if (added.length !== 1 || (added[0]!.outcome === 'DENIED') !== (expected === 'DENIED')) {
        problems.push(`${field} as ${role}: expected one ${expected} audit entry, found ${JSON.stringify(added.map((a) => a.outcome))}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
