// One concern: promises. The repositories are async (SQLite and PostgreSQL behind one interface), and TypeScript
// itself does not flag a promise that nobody awaits, nor a promise tested as a boolean (`if (repos.apps.byId(1))` is
// always true). These rules do, with the type checker. Style is not linted here.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'console/**', 'examples/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // A promise must be awaited, returned, or explicitly let go with `void` (and its failure handled there).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // No promise where a boolean or a void callback is expected (a condition, a forEach callback, an event handler
      // whose rejection nobody would see). Functions returning promises may still be passed where void is expected
      // by name (`checksVoidReturn.arguments: false`): the callers below await or catch them.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // `await` on something that is not a promise is a sign the code expected an async call.
      '@typescript-eslint/await-thenable': 'error',
    },
  },
);
