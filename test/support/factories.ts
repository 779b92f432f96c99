import { nhsCheckDigit } from '@app/children';

/** A valid NHS number no other test uses (random, with its check digit). */
export function freshNhsNumber(): string {
  for (;;) {
    const first9 = String(Math.floor(100_000_000 + Math.random() * 899_999_999));
    const check = nhsCheckDigit(first9);
    if (check !== null) return first9 + String(check);
  }
}
