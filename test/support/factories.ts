import { nhsCheckDigit, upnCheckLetter } from '@app/children';

/** A valid NHS number no other test uses (random, with its check digit). */
export function freshNhsNumber(): string {
  for (;;) {
    const first9 = String(Math.floor(100_000_000 + Math.random() * 899_999_999));
    const check = nhsCheckDigit(first9);
    if (check !== null) return first9 + String(check);
  }
}

/** A valid UPN no other test uses (random body, with its modulus-23 check letter). */
export function freshUpn(): string {
  const body =
    String(Math.floor(1e10 + Math.random() * 9e10)).padStart(11, '0') + String(Math.floor(Math.random() * 10));
  return upnCheckLetter(body) + body;
}
