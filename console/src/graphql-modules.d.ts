/** Operations are imported as text (esbuild's text loader). */
declare module '*.graphql' {
  const document: string;
  export default document;
}

/** Operation name → persisted hash, filled in by build.ts from persisted-operations.json (empty without it). */
declare const CAIRN_PERSISTED_OPERATIONS: Record<string, string>;
