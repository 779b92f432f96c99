import fc from 'fast-check';
import {
  IdentifierKind,
  nhsCheckDigit,
  normaliseIdentifier,
  pncCheckLetter,
  upnCheckLetter,
  validateIdentifier,
} from './identifiers';

const ok = (value: string) => ({ valid: true, value });

function reasonOf(kind: IdentifierKind, raw: string): string {
  const result = validateIdentifier(kind, raw);
  if (result.valid) throw new Error(`expected ${JSON.stringify(raw)} to be invalid`);
  return result.reason;
}

describe('normaliseIdentifier', () => {
  it.each<[IdentifierKind, string, string]>([
    ['nhs_number', '943 476 5919', '9434765919'],
    ['nhs_number', ' 943-476-5919 ', '9434765919'],
    ['nhs_number', '943\t476 5919', '9434765919'],
    ['upn', ' b801200005001 ', 'B801200005001'],
    ['pnc_id', ' 98/1234g ', '98/1234G'],
    ['la_child_id', '  la-0042 x ', 'la-0042 x'],
  ])('%s %j -> %j', (kind, raw, expected) => {
    expect(normaliseIdentifier(kind, raw)).toBe(expected);
  });
});

describe('NHS number', () => {
  it('accepts the well-known test number 943 476 5919 in any spacing', () => {
    expect(validateIdentifier('nhs_number', '9434765919')).toEqual(ok('9434765919'));
    expect(validateIdentifier('nhs_number', '943 476 5919')).toEqual(ok('9434765919'));
    expect(validateIdentifier('nhs_number', '943-476-5919')).toEqual(ok('9434765919'));
  });

  it('accepts other numbers whose check digit follows the rule', () => {
    // 4*10 + 0*9 + 1*8 + 0*7 + 2*6 + 3*5 + 2*4 + 1*3 + 3*2 = 92; 92 mod 11 = 4; 11 - 4 = 7
    expect(validateIdentifier('nhs_number', '401 023 2137')).toEqual(ok('4010232137'));
    // 2*10 + 1*2 = 22; 22 mod 11 = 0; 11 - 0 = 11 -> check digit 0
    expect(validateIdentifier('nhs_number', '2000000010')).toEqual(ok('2000000010'));
    expect(validateIdentifier('nhs_number', '0000000000')).toEqual(ok('0000000000'));
  });

  it('computes check digits, including 11 -> 0 and 10 -> none', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(nhsCheckDigit('401023213')).toBe(7);
    expect(nhsCheckDigit('200000001')).toBe(0);
    // 6*2 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> no valid check digit
    expect(nhsCheckDigit('000000006')).toBeNull();
    expect(() => nhsCheckDigit('12345678')).toThrow(RangeError);
  });

  it('rejects a wrong check digit', () => {
    expect(reasonOf('nhs_number', '943 476 5918')).toBe('NHS number check digit does not match');
    expect(reasonOf('nhs_number', '9434765910')).toBe('NHS number check digit does not match');
  });

  it('rejects numbers whose check digit would be 10, whatever the last digit', () => {
    for (let last = 0; last <= 9; last++) {
      expect(reasonOf('nhs_number', `000000006${last}`)).toBe('NHS number is invalid (check digit computes to 10)');
    }
  });

  it.each(['943476591', '94347659190', '943476591A', 'A434765919', '', '   ', '943.476.5919'])(
    'rejects malformed %j',
    (raw) => {
      expect(reasonOf('nhs_number', raw)).toBe('NHS number must be exactly 10 digits');
    },
  );

  // Independent re-implementation of the rule for the property tests.
  const checkDigitOf = (digits: number[]): number => {
    const r = 11 - (digits.reduce((acc, d, i) => acc + d * (10 - i), 0) % 11);
    return r === 11 ? 0 : r;
  };
  const validNhsNumber = fc
    .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
    .filter((digits) => checkDigitOf(digits) !== 10)
    .map((digits) => [...digits, checkDigitOf(digits)].join(''));

  it('property: every generated valid NHS number passes, in compact and spaced form', () => {
    fc.assert(
      fc.property(validNhsNumber, (nhs) => {
        expect(validateIdentifier('nhs_number', nhs)).toEqual(ok(nhs));
        const spaced = `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;
        expect(validateIdentifier('nhs_number', spaced)).toEqual(ok(nhs));
      }),
      { numRuns: 500 },
    );
  });

  it('property: changing any single digit of a valid NHS number makes it fail', () => {
    fc.assert(
      fc.property(
        validNhsNumber,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (nhs, position, delta) => {
          const changed = (Number(nhs[position]) + delta) % 10;
          const mutated = nhs.slice(0, position) + String(changed) + nhs.slice(position + 1);
          expect(mutated).not.toBe(nhs);
          expect(validateIdentifier('nhs_number', mutated).valid).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('UPN', () => {
  it('accepts a published valid example (python-stdnum doc test)', () => {
    // chars 2..13 = 8,0,1,2,0,0,0,0,5,0,0,1 weighted 2..13: 16+4+10+50+13 = 93; 93 mod 23 = 1 -> B
    expect(validateIdentifier('upn', 'B801200005001')).toEqual(ok('B801200005001'));
    expect(validateIdentifier('upn', ' b801200005001')).toEqual(ok('B801200005001'));
  });

  it('computes check letters by the DfE modulus-23 method', () => {
    expect(upnCheckLetter('801200005001')).toBe('B');
    // 1*2+2*3+3*4+4*5+5*6+6*7+7*8+8*9+9*10+0*11+1*12+2*13 = 368 = 16*23 -> remainder 0 -> A
    expect(upnCheckLetter('123456789012')).toBe('A');
    // temporary UPN, final letter A counts 0: 16+6+0+5+12+21+32+45+0+0+12+0 = 149; mod 23 = 11 -> M
    expect(upnCheckLetter('82012345001A')).toBe('M');
    // final letter Z counts 22: 80 + 22*13 = 366; mod 23 = 21 -> Y
    expect(upnCheckLetter('80120000500Z')).toBe('Y');
    expect(upnCheckLetter('80120000500z')).toBe('Y');
  });

  it('round-trips: check letter + body validates', () => {
    for (const body of ['123456789012', '82012345001A', '80120000500Z', '000000000000']) {
      const upn = upnCheckLetter(body) + body;
      expect(validateIdentifier('upn', upn)).toEqual(ok(upn));
    }
    expect(validateIdentifier('upn', 'A000000000000')).toEqual(ok('A000000000000'));
  });

  it('property: generated bodies round-trip and every other check letter fails', () => {
    const body = fc
      .tuple(
        fc.array(fc.constantFrom(...'0123456789'), { minLength: 11, maxLength: 11 }),
        fc.constantFrom(...'0123456789ABCDEFGHJKLMNPQRTUVWXYZ'),
      )
      .map(([digits, last]) => digits.join('') + last);
    fc.assert(
      fc.property(body, fc.constantFrom(...'ABCDEFGHJKLMNPQRTUVWXYZ'), (b, letter) => {
        const expected = upnCheckLetter(b);
        expect(validateIdentifier('upn', letter + b).valid).toBe(letter === expected);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a wrong check letter', () => {
    expect(reasonOf('upn', 'A801200005001')).toBe('UPN check letter does not match');
    expect(reasonOf('upn', 'B123456789012')).toBe('UPN check letter does not match');
  });

  it.each([
    ['B80120000500', 'UPN must be exactly 13 characters'],
    ['B8012000050011', 'UPN must be exactly 13 characters'],
    ['', 'UPN must be exactly 13 characters'],
    ['1801200005001', 'UPN must start with a check letter (A-Z excluding I, O and S)'],
    ['I801200005001', 'UPN must start with a check letter (A-Z excluding I, O and S)'],
    ['X80120000A001', 'UPN characters 2-12 must be digits and character 13 a digit or a letter other than I, O or S'],
    ['X80120000500I', 'UPN characters 2-12 must be digits and character 13 a digit or a letter other than I, O or S'],
    ['X80120000500S', 'UPN characters 2-12 must be digits and character 13 a digit or a letter other than I, O or S'],
  ])('rejects malformed %j', (raw, reason) => {
    expect(reasonOf('upn', raw)).toBe(reason);
  });

  it('upnCheckLetter rejects a malformed body', () => {
    expect(() => upnCheckLetter('80120000500')).toThrow(RangeError);
    expect(() => upnCheckLetter('80120000500O')).toThrow(RangeError);
    expect(() => upnCheckLetter('8012000A5001')).toThrow(RangeError);
  });
});

describe('PNC id', () => {
  it('computes check letters from YY + serial padded to 7 digits, mod 23, 0 -> Z', () => {
    // 980001234 = 23 * 42608749 + 7 -> index 7 of ZABCDEFGH... = G
    expect(pncCheckLetter('98', '1234')).toBe('G');
    expect(pncCheckLetter('98', '0001234')).toBe('G');
    // 000000001 mod 23 = 1 -> A; 000000023 mod 23 = 0 -> Z
    expect(pncCheckLetter('00', '1')).toBe('A');
    expect(pncCheckLetter('00', '23')).toBe('Z');
    // 123456789 = 23 * 5367686 + 11 -> L
    expect(pncCheckLetter('12', '3456789')).toBe('L');
  });

  it.each(['98/1234G', '98/0001234G', '00/1A', '00/23Z', '12/3456789L'])('accepts %j', (raw) => {
    expect(validateIdentifier('pnc_id', raw)).toEqual(ok(raw));
  });

  it('normalises case and surrounding whitespace', () => {
    expect(validateIdentifier('pnc_id', ' 98/1234g ')).toEqual(ok('98/1234G'));
  });

  it.each(['98/1234H', '98/1234Z', '12/3456789K', '00/23A'])('rejects wrong check letter %j', (raw) => {
    expect(reasonOf('pnc_id', raw)).toBe('PNC id check letter does not match');
  });

  it.each(['98-1234G', '1998/1234G', '8/1234G', '98/12345678G', '98/G', '98/1234', '98/12 34G', '98/1234GG', ''])(
    'rejects bad format %j',
    (raw) => {
      expect(reasonOf('pnc_id', raw)).toBe('PNC id must have the form YY/NNNNNNNL (1 to 7 digit serial)');
    },
  );

  it('pncCheckLetter rejects bad parts', () => {
    expect(() => pncCheckLetter('9', '1234')).toThrow(RangeError);
    expect(() => pncCheckLetter('98', '')).toThrow(RangeError);
    expect(() => pncCheckLetter('98', '12345678')).toThrow(RangeError);
  });
});

describe('LA child id', () => {
  it('accepts and trims printable ids', () => {
    expect(validateIdentifier('la_child_id', '  LA-000123 ')).toEqual(ok('LA-000123'));
    expect(validateIdentifier('la_child_id', 'Zoë/12 b')).toEqual(ok('Zoë/12 b'));
  });

  it('accepts exactly 50 characters and rejects 51', () => {
    expect(validateIdentifier('la_child_id', 'x'.repeat(50))).toEqual(ok('x'.repeat(50)));
    expect(validateIdentifier('la_child_id', ` ${'x'.repeat(50)} `)).toEqual(ok('x'.repeat(50)));
    expect(reasonOf('la_child_id', 'x'.repeat(51))).toBe('LA child id must be at most 50 characters');
  });

  it.each(['', '   ', '\t\n'])('rejects empty %j', (raw) => {
    expect(reasonOf('la_child_id', raw)).toBe('LA child id must not be empty');
  });

  it.each(['AB\nC', 'AB\u0000C', 'A\tB', 'A\u200bB', 'A\u2028B'])('rejects non-printable %j', (raw) => {
    expect(reasonOf('la_child_id', raw)).toBe('LA child id must contain only printable characters');
  });
});

describe('validateIdentifier guards', () => {
  it('rejects an unknown kind and non-string input from untyped callers', () => {
    expect(validateIdentifier('passport' as IdentifierKind, '123')).toEqual({
      valid: false,
      reason: 'unknown identifier kind: passport',
    });
    expect(validateIdentifier('upn', 42 as unknown as string)).toEqual({
      valid: false,
      reason: 'identifier must be a string',
    });
  });
});
