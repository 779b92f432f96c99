/**
 * Timescales: every statutory or local time limit, declared ONCE by the module that owns it, with
 * its default, unit, bounds and meaning. An organisation may set its own value (organisation
 * administrators, `PUT /organisations/:id/timescales`); otherwise the default applies.
 *
 *   export const REFERRAL_TIMESCALES = declareTimescales({
 *     'referral.decision': { default: 1, unit: 'working_days', min: 1, max: 10, description: '...' },
 *   });
 *   declare module '@app/casework' {
 *     interface TimescaleKeys extends TimescaleKeysOf<typeof REFERRAL_TIMESCALES> {}
 *   }
 *
 * `Timescales.due(tx, organisationId, 'referral.decision', receivedAt)` then gives the due time.
 */

/** Working days and hours skip weekends and England and Wales bank holidays (DOMAIN.md). */
export const TIMESCALE_UNITS = ['working_days', 'working_hours', 'hours', 'minutes'] as const;
export type TimescaleUnit = (typeof TIMESCALE_UNITS)[number];

export interface TimescaleDeclaration {
  /** DOMAIN.md's figure: what applies where the organisation set nothing. */
  readonly default: number;
  readonly unit: TimescaleUnit;
  /** The range a local value must keep to (whole numbers). */
  readonly min: number;
  readonly max: number;
  /** What the clock is and where the rule comes from. */
  readonly description: string;
}

/** Timescale key -> declaration. Empty here: every module adds its own (see above). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by declaration merging
export interface TimescaleKeys {}

export type TimescaleKey = keyof TimescaleKeys & string;

/** The keys of a set of declarations: what a module adds to `TimescaleKeys`. */
export type TimescaleKeysOf<T extends Record<string, TimescaleDeclaration>> = { [K in keyof T]: TimescaleDeclaration };

const KEY = /^[a-z][a-z_]*(\.[a-z][a-z_0-9]*)+$/;
const declared = new Map<string, TimescaleDeclaration>();

/** Adds a module's timescales; a key declared twice (differently), or a default out of its range, is a programming error. */
export function declareTimescales<T extends Record<string, TimescaleDeclaration>>(timescales: T): T {
  for (const [key, t] of Object.entries(timescales)) {
    if (!KEY.test(key) || key.length > 60) throw new Error(`Timescale key ${key}: lower-case dotted words, 60 at most`);
    const ok =
      [t.default, t.min, t.max].every(Number.isInteger) && t.min >= 1 && t.min <= t.default && t.default <= t.max;
    if (!ok) throw new Error(`Timescale ${key}: whole numbers with 1 <= min <= default <= max`);
    const known = declared.get(key);
    if (known !== undefined && known !== t) throw new Error(`Timescale ${key} is declared twice`);
    declared.set(key, t);
  }
  return timescales;
}

/** Every declared timescale, by key (sorted). */
export function declaredTimescales(): { key: string; declaration: TimescaleDeclaration }[] {
  return [...declared.entries()]
    .map(([key, declaration]) => ({ key, declaration }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

export function timescaleDeclaration(key: string): TimescaleDeclaration | undefined {
  return declared.get(key);
}
