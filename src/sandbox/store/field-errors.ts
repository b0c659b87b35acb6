/**
 * field.Error from k8s.io/apimachinery/pkg/util/validation/field: its types, its ErrorBody() text and
 * the aggregate message an Invalid Status carries.
 */

export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueNotFound'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** ErrorBody(): `Invalid value: "x": detail` */
  body: string;
}

/** Go-ish rendering of a bad value: strings quoted (%q), numbers and booleans bare, the rest as given. */
export type GoValue = string | number | boolean | null | undefined | { go: string };
export const goLiteral = (text: string): { go: string } => ({ go: text });

function render(value: GoValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.go;
}

const withDetail = (s: string, detail?: string) => (detail ? `${s}: ${detail}` : s);

export const fieldErr = {
  invalid: (field: string, value: GoValue, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    body: withDetail(`Invalid value: ${render(value)}`, detail),
  }),
  required: (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, body: withDetail('Required value', detail) }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, body: withDetail('Forbidden', detail) }),
  duplicate: (field: string, value: GoValue): FieldError => ({ type: 'FieldValueDuplicate', field, body: `Duplicate value: ${render(value)}` }),
  notFound: (field: string, value: GoValue): FieldError => ({ type: 'FieldValueNotFound', field, body: `Not found: ${render(value)}` }),
  notSupported: (field: string, value: GoValue, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    body: withDetail(`Unsupported value: ${render(value)}`, supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : ''),
  }),
  tooLong: (field: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field, body: `Too long: must have at most ${max} bytes` }),
};

/** `field: body`, the text of one field.Error. */
export const errorText = (e: FieldError): string => `${e.field}: ${e.body}`;

/** utilerrors.NewAggregate(...).Error(): one message as is, several as `[a, b]` (duplicates dropped). */
export function aggregate(errors: FieldError[]): string {
  const msgs = [...new Set(errors.map(errorText))];
  if (msgs.length === 0) return '';
  if (msgs.length === 1) return msgs[0]!;
  return `[${msgs.join(', ')}]`;
}
