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

const GO_ESCAPES: Record<string, string> = { '\u0007': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's %q (strconv.Quote): `\x00` for ASCII controls, `\u0085` for other unprintable runes, the rest as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (GO_ESCAPES[ch]) out += GO_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (GO_PRINTABLE.test(ch)) out += ch;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function render(value: GoValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
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
