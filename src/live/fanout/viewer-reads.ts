/**
 * Marks (Pothos `extensions`, on a field or a type) for resolvers that read the caller. The fan-out groups
 * subscriptions by role (group-key.ts): one member's execution is sent to every member of its group, so
 * nothing a grouped subscription can reach may depend on more than the caller's role on the app it follows.
 * test/live/grouping-reach.test.ts walks the built schema from every grouped subscription field and fails
 * when a mark of `perViewer` is reachable, or when a reachable resolver reads the caller without a mark.
 *
 * - `perViewer(why)`: reads who the caller is (its token's identity, or its rights over every app):
 *   two tokens of one role may get different answers. Must stay out of the grouped subscriptions' reach.
 * - `roleOnOwnApp(why)`: reads only the caller's role on the app the object belongs to (which, for what a
 *   grouped subscription reaches, is the app it follows — the group key holds that role).
 */
export const PER_VIEWER = 'cairnPerViewer';
export const ROLE_ON_OWN_APP = 'cairnRoleOnOwnApp';

export const perViewer = (why: string) => ({ [PER_VIEWER]: why });
export const roleOnOwnApp = (why: string) => ({ [ROLE_ON_OWN_APP]: why });
