import { addressKey, isValidPostcode, isValidVrm, normalisePostcode, normaliseVrm } from './normalise';

describe('police identifiers', () => {
  it('normalises a registration mark to upper case without spaces', () => {
    expect(normaliseVrm(' ab12 cde ')).toBe('AB12CDE');
    expect(normaliseVrm('AB12-CDE')).toBe('AB12CDE');
  });
  it.each(['AB12CDE', 'A123BCD', 'ABC123D', 'ABC1', '1ABC', 'ABZ1234'])('accepts %s', (v) =>
    expect(isValidVrm(v)).toBe(true),
  );
  it.each(['', 'A', 'AB12CDEF', '12345678', 'AB!2CDE', 'ABCDEFG'])('refuses %s', (v) =>
    expect(isValidVrm(v)).toBe(false),
  );
  it('normalises and validates postcodes', () => {
    expect(normalisePostcode('nt14ab')).toBe('NT1 4AB');
    expect(normalisePostcode(' SW1A  1AA ')).toBe('SW1A 1AA');
    expect(isValidPostcode('NT1 4AB')).toBe(true);
    expect(isValidPostcode('NOT A CODE')).toBe(false);
  });
  it('keys addresses for matching regardless of case and punctuation', () => {
    expect(addressKey('Flat 2, 14 Mill Lane', 'NT1 4AB')).toBe(
      addressKey('flat 2 14  MILL LANE', 'nt14ab'.toUpperCase()),
    );
  });
});
