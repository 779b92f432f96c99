/**
 * Lengths of the formatted strings the API reads (each validator says @MaxLength with these) and
 * writes (the OpenAPI document states them): one number for both sides of the contract.
 */
export const FIELD_LIMITS = {
  /** `2011-04-02` */
  date: 10,
  /** `2026-12-02T09:30:00.123456+01:00` is 32; what the API writes is 24 (`...00.000Z`). */
  dateTime: 35,
  uuid: 36,
  url: 2048,
} as const;
