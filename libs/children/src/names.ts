/** Lower-case, accent-free, single-spaced: "Zoë  O'Brien" -> "zoe o'brien". */
export function normaliseName(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' -]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Everything a child may be searched by: given, family, preferred and previous names. */
export function searchNameOf(c: {
  givenName: string;
  familyName: string;
  preferredName?: string | null;
  previousNames?: string[];
}): string {
  return normaliseName([c.givenName, c.familyName, c.preferredName ?? '', ...(c.previousNames ?? [])].join(' '));
}

/** The key for "same name and date of birth" matching: given and family name only. */
export function nameKeyOf(c: { givenName: string; familyName: string }): string {
  return normaliseName(`${c.givenName} ${c.familyName}`);
}
