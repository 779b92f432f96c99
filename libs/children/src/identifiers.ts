/**
 * Validators and normalisers for the UK identifiers a child record may carry.
 *
 * Pure functions, no framework dependencies. Every validator works on the normalised form
 * (see {@link normaliseIdentifier}) and, when valid, returns that normalised form as the value
 * to store.
 */

export type IdentifierKind = 'nhs_number' | 'upn' | 'pnc_id' | 'la_child_id';

export type IdentifierValidation = { valid: true; value: string } | { valid: false; reason: string };

export const IDENTIFIER_KINDS: readonly IdentifierKind[] = ['nhs_number', 'upn', 'pnc_id', 'la_child_id'];

/** Maximum length (in Unicode code points) of a local-authority child id. */
export const LA_CHILD_ID_MAX_LENGTH = 50;

/** DfE UPN modulus-23 letter table: A..Z without I, O and S. Index = value. */
const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** PNC modulus-23 letter table: remainder 0 maps to Z, then A..Y without I, O and S. */
const PNC_LETTERS = 'ZABCDEFGHJKLMNPQRTUVWXY';

/**
 * Normalise raw input for a given identifier kind:
 * - NHS number: remove all whitespace and hyphens ("943 476 5919" -> "9434765919");
 * - UPN and PNC id: trim and upper-case;
 * - LA child id: trim.
 */
export function normaliseIdentifier(kind: IdentifierKind, raw: string): string {
  switch (kind) {
    case 'nhs_number':
      return raw.replace(/[\s-]/g, '');
    case 'upn':
    case 'pnc_id':
      return raw.trim().toUpperCase();
    case 'la_child_id':
      return raw.trim();
    default:
      return assertNever(kind);
  }
}

/** Validate `raw` as an identifier of `kind`, after normalisation. */
export function validateIdentifier(kind: IdentifierKind, raw: string): IdentifierValidation {
  if (typeof raw !== 'string') return invalid('identifier must be a string');
  if (!IDENTIFIER_KINDS.includes(kind)) return invalid(`unknown identifier kind: ${String(kind)}`);
  const value = normaliseIdentifier(kind, raw);
  switch (kind) {
    case 'nhs_number':
      return validateNhsNumber(value);
    case 'upn':
      return validateUpn(value);
    case 'pnc_id':
      return validatePncId(value);
    case 'la_child_id':
      return validateLaChildId(value);
    default:
      return assertNever(kind);
  }
}

// ---------------------------------------------------------------------------------------------
// NHS number
// ---------------------------------------------------------------------------------------------

/**
 * NHS number check digit for the first nine digits: 11 - (sum of digit_i * (11 - i)) mod 11,
 * i.e. weights 10..2. A result of 11 becomes 0; a result of 10 means no valid NHS number starts
 * with these nine digits, and `null` is returned.
 */
export function nhsCheckDigit(first9: string): number | null {
  if (!/^\d{9}$/.test(first9)) throw new RangeError('expected exactly 9 digits');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

function validateNhsNumber(value: string): IdentifierValidation {
  if (!/^\d{10}$/.test(value)) return invalid('NHS number must be exactly 10 digits');
  const expected = nhsCheckDigit(value.slice(0, 9));
  if (expected === null) return invalid('NHS number is invalid (check digit computes to 10)');
  if (expected !== Number(value[9])) return invalid('NHS number check digit does not match');
  return { valid: true, value };
}

// ---------------------------------------------------------------------------------------------
// Unique Pupil Number (DfE)
// ---------------------------------------------------------------------------------------------

const UPN_BODY = /^\d{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]$/;

/**
 * DfE modulus-23 check letter for the 12 characters that follow it in a UPN (characters 2..13).
 * Character n (n = 2..13) is weighted n; a digit counts as its value and a letter in the final
 * position (temporary UPNs) counts as its index in "ABCDEFGHJKLMNPQRTUVWXYZ". The sum mod 23
 * indexes the same table.
 */
export function upnCheckLetter(body12: string): string {
  const body = body12.toUpperCase();
  if (!UPN_BODY.test(body)) {
    throw new RangeError('UPN body must be 11 digits followed by a digit or a letter other than I, O or S');
  }
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const ch = body[i];
    const value = ch >= '0' && ch <= '9' ? Number(ch) : UPN_LETTERS.indexOf(ch);
    sum += value * (i + 2);
  }
  return UPN_LETTERS[sum % 23];
}

function validateUpn(value: string): IdentifierValidation {
  if (value.length !== 13) return invalid('UPN must be exactly 13 characters');
  if (!UPN_LETTERS.includes(value[0])) {
    return invalid('UPN must start with a check letter (A-Z excluding I, O and S)');
  }
  const body = value.slice(1);
  if (!UPN_BODY.test(body)) {
    return invalid('UPN characters 2-12 must be digits and character 13 a digit or a letter other than I, O or S');
  }
  if (upnCheckLetter(body) !== value[0]) return invalid('UPN check letter does not match');
  return { valid: true, value };
}

// ---------------------------------------------------------------------------------------------
// Police National Computer id
// ---------------------------------------------------------------------------------------------

const PNC_ID = /^(\d{2})\/(\d{1,7})([A-Z])$/;

/**
 * PNC check letter: the integer formed by the two-digit year followed by the serial zero-padded
 * to 7 digits, mod 23, indexing "ZABCDEFGHJKLMNPQRTUVWXY" (0 -> Z).
 */
export function pncCheckLetter(yy: string, serial: string): string {
  if (!/^\d{2}$/.test(yy)) throw new RangeError('PNC year must be exactly 2 digits');
  if (!/^\d{1,7}$/.test(serial)) throw new RangeError('PNC serial must be 1 to 7 digits');
  const n = Number(yy + serial.padStart(7, '0')); // at most 9 digits: exact as a double
  return PNC_LETTERS[n % 23];
}

function validatePncId(value: string): IdentifierValidation {
  const match = PNC_ID.exec(value);
  if (!match) return invalid('PNC id must have the form YY/NNNNNNNL (1 to 7 digit serial)');
  const [, yy, serial, letter] = match;
  if (pncCheckLetter(yy, serial) !== letter) return invalid('PNC id check letter does not match');
  return { valid: true, value };
}

// ---------------------------------------------------------------------------------------------
// Local-authority child id
// ---------------------------------------------------------------------------------------------

/** Control, format, surrogate, private-use and unassigned code points, plus line/para separators. */
const NON_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

function validateLaChildId(value: string): IdentifierValidation {
  if (value.length === 0) return invalid('LA child id must not be empty');
  if ([...value].length > LA_CHILD_ID_MAX_LENGTH) {
    return invalid(`LA child id must be at most ${LA_CHILD_ID_MAX_LENGTH} characters`);
  }
  if (NON_PRINTABLE.test(value)) return invalid('LA child id must contain only printable characters');
  return { valid: true, value };
}

// ---------------------------------------------------------------------------------------------

function invalid(reason: string): IdentifierValidation {
  return { valid: false, reason };
}

function assertNever(kind: never): never {
  throw new RangeError(`unknown identifier kind: ${String(kind)}`);
}
