/** The API token of this browser tab: kept in sessionStorage (gone when the tab closes), never in a cookie. */
const KEY = 'cairn.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  signIn: (token: string): void => sessionStorage.setItem(KEY, token.trim()),
  signOut: (): void => sessionStorage.removeItem(KEY),
};
