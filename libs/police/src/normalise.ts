/** Normalisers and validators for the police module's identifiers (pure, unit-tested). */

/** A registration mark: upper case without spaces ("ab12 cde" -> "AB12CDE"). */
export function normaliseVrm(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

/**
 * GB registration formats: current (AB12CDE), prefix (A123BCD), suffix (ABC123D), dateless
 * (1-4 letters and 1-4 digits either way round, at most 7 characters), and Northern Ireland (ABZ 1234).
 */
const VRM_FORMATS = [
  /^[A-Z]{2}[0-9]{2}[A-Z]{3}$/,
  /^[A-Z][0-9]{1,3}[A-Z]{3}$/,
  /^[A-Z]{3}[0-9]{1,3}[A-Z]$/,
  /^[A-Z]{1,3}[0-9]{1,4}$/,
  /^[0-9]{1,4}[A-Z]{1,3}$/,
  /^[A-Z]{1,3}Z[0-9]{1,4}$/,
];

export function isValidVrm(normalised: string): boolean {
  return normalised.length >= 2 && normalised.length <= 8 && VRM_FORMATS.some((re) => re.test(normalised));
}

/** A postcode: upper case, one space before the inward code ("nt14ab" -> "NT1 4AB"). */
export function normalisePostcode(raw: string): string {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact;
}

const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$/;
export function isValidPostcode(normalised: string): boolean {
  return POSTCODE.test(normalised);
}

/** An address for matching: lower case, punctuation and runs of spaces removed. */
export function addressKey(address: string, postcode: string): string {
  const line = address
    .toLowerCase()
    .replace(/[^a-z0-9 ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `${line}|${postcode.replace(/\s/g, '')}`;
}
