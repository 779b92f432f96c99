/** Dates and durations as GOV.UK writes them, in UK time whatever the server's zone. */
const ZONE = 'Europe/London';

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: ZONE });
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
  timeZone: ZONE,
});

function toDate(value: unknown): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** 14 May 2013 */
export function formatDate(value: unknown): string {
  const d = toDate(value);
  return d ? dayFormat.format(d) : '';
}

/** 14 May 2013 at 3:04pm */
export function formatDateTime(value: unknown): string {
  const d = toDate(value);
  if (!d) return '';
  return `${dayFormat.format(d)} at ${timeFormat.format(d).replace(' ', '').toLowerCase()}`;
}

/** "3 hours", "2 days", "45 minutes": how far apart two times are, roughly. */
export function duration(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(hours / 24), 'day');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "Overdue by 3 hours" or "Due in 2 days", from a due time. */
export function dueText(dueAt: unknown, now = Date.now()): string {
  const d = toDate(dueAt);
  if (!d) return '';
  const diff = d.getTime() - now;
  return diff < 0 ? `Overdue by ${duration(diff)}` : `Due in ${duration(diff)}`;
}

/** A child as the API describes one not yet identified (or identified): name, else what is known. */
export function subjectName(subject: {
  givenName?: string | null;
  familyName?: string | null;
  dateOfBirth?: string | null;
  approximateAge?: number | null;
}): string {
  const name = [subject.givenName, subject.familyName].filter(Boolean).join(' ');
  if (name) return name;
  if (subject.dateOfBirth) return `Child born ${formatDate(subject.dateOfBirth)}`;
  if (subject.approximateAge !== null && subject.approximateAge !== undefined) {
    return `Child aged about ${subject.approximateAge}`;
  }
  return 'Child not named';
}

/** The current time as an ISO string for the API, from GOV.UK date and time parts in UK time. */
export function ukLocalToIso(date: string, time: string): string {
  // Find the UTC instant whose London wall time is date+time (two tries cover the DST change).
  const wanted = Date.parse(`${date}T${time}:00Z`);
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: ZONE,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
        .formatToParts(new Date(guess))
        .map((p) => [p.type, p.value]),
    );
    const shown = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:00Z`);
    guess += wanted - shown;
  }
  return new Date(guess).toISOString();
}

/** Today's date in the UK, YYYY-MM-DD. */
export function ukToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
}
