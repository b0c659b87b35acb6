/** Token sign-in: the token is checked with `viewer`, then kept in sessionStorage. */
import { h, show } from '../dom.js';
import { request, RequestError } from '../graphql.js';
import * as op from '../operations.js';
import { session } from '../session.js';

export function signInView(root: HTMLElement, signedIn: () => void, notice = ''): void {
  root.className = 'single';
  const token = h('input', { id: 'token', type: 'password', autocomplete: 'off', size: 40, placeholder: 'cairn_…', required: true });
  const message = h('p', { id: 'sign-in-error', class: 'error' }, notice);
  const form = h(
    'form',
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        void (async () => {
          message.textContent = '';
          try {
            await request(op.Viewer, {}, token.value.trim());
            session.signIn(token.value);
            signedIn();
          } catch (error) {
            message.textContent = error instanceof RequestError ? error.message : String(error);
          }
        })();
      },
    },
    h('label', {}, 'API token', h('br'), token),
    h('button', { class: 'primary', type: 'submit', id: 'sign-in' }, 'Sign in'),
    message,
  );
  show(
    root,
    h(
      'section',
      {},
      h('h2', {}, 'Sign in'),
      h('p', { class: 'muted' }, 'Paste an API token (the first start writes an admin token next to the database; ', h('code', {}, 'npm run token'), ' issues more). It is kept in this tab only.'),
      form,
    ),
  );
  token.focus();
}
