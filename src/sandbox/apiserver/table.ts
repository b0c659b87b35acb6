/**
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` — what `kubectl get` asks for — answered
 * with a meta.k8s.io/v1 Table: column definitions and one row per object, each row carrying the
 * object as PartialObjectMetadata (or in full with `includeObject=Object`, or none with `None`).
 */
import type { KubeObject, ResourceKey } from '../store/types.js';
import { COLUMNS, DEFAULT_COLUMNS, type Column } from './table-columns.js';
import { ApiError } from './errors.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  includeObject: IncludeObject;
}

/** Whether the Accept header asks for a Table (the first acceptable media type decides, as content negotiation does). */
export function tableRequested(accept: string | undefined, query: URLSearchParams): TableOptions | undefined {
  if (!accept) return undefined;
  for (const clause of accept.split(',')) {
    const [type, ...params] = clause.split(';').map((p) => p.trim());
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const p = Object.fromEntries(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
    if (p.as === undefined) return undefined; // plain JSON is acceptable before any Table
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) {
      const include = (query.get('includeObject') ?? 'Metadata') as IncludeObject;
      if (!['None', 'Metadata', 'Object'].includes(include)) throw new ApiError(400, 'BadRequest', `includeObject: Unsupported value: "${include}"`);
      return { apiVersion: `meta.k8s.io/${p.v}` as TableOptions['apiVersion'], includeObject: include };
    }
  }
  return undefined;
}

const columnsFor = (key: ResourceKey): Column[] => COLUMNS[key] ?? DEFAULT_COLUMNS;

function rowObject(o: KubeObject, include: IncludeObject) {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(key: ResourceKey, objects: KubeObject[], options: TableOptions, meta: Record<string, unknown>, now: Date, withHeaders = true) {
  const columns = columnsFor(key);
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: options.apiVersion, metadata: meta };
  table.columnDefinitions = withHeaders ? columns.map(({ name, type, format, description, priority }) => ({ name, type, format: format ?? '', description, priority })) : [];
  table.rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: columns.map((c) => c.cell(o, now)) };
    const object = rowObject(o, options.includeObject);
    if (object) row.object = object;
    return row;
  });
  return table;
}
