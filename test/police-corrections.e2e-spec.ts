/**
 * Corrections of persons, vehicles and locations of interest (issue 14): an explicit null clears an
 * optional field; a required one cannot be cleared (problem+json naming the field, never a 5xx).
 */
import { randomUUID } from 'node:crypto';
import { pncCheckLetter } from '@app/children';
import { startTestApp, type TestContext } from './support/app';

const NSP_CSE = 'cse.officer@northshire-police.example';

describe('police corrections: null clears an optional field, not a required one', () => {
  let t: TestContext;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = async (url: string, body: object) =>
    t.http
      .post(url)
      .set('Authorization', await t.as(NSP_CSE))
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const patch = async (url: string, body: object, version: number) =>
    t.http
      .patch(url)
      .set('Authorization', await t.as(NSP_CSE))
      .set('If-Match', `"${version}"`)
      .send(body);
  const refused = (res: { status: number; headers: Record<string, string>; body: { errors: { field: string }[] } }) => {
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    return res.body.errors.map((e) => e.field);
  };

  it('a person: aliases, date of birth and PNC id cleared; names refused', async () => {
    const serial = String(Math.floor(1_000_000 + Math.random() * 8_999_999));
    const created = await post('/api/v1/police/persons', {
      givenName: 'Clear',
      familyName: `Able${Date.now()}`,
      aliases: ['CA'],
      dateOfBirth: '1990-01-02',
      pncId: `77/${serial}${pncCheckLetter('77', serial)}`,
    });
    expect(created.status).toBe(201);
    const url = `/api/v1/police/persons/${created.body.id}`;
    expect(refused(await patch(url, { givenName: null }, 1))).toEqual(['givenName']);
    expect(refused(await patch(url, { familyName: null, aliases: null }, 1))).toEqual(['familyName']);
    const cleared = await patch(url, { aliases: null, dateOfBirth: null, pncId: null }, 1);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ aliases: [], dateOfBirth: null, pncId: null, version: 2 });
    expect(cleared.body.givenName).toBe('Clear');
  });

  it('a vehicle: make and colour cleared; the registration mark refused', async () => {
    const created = await post('/api/v1/police/vehicles', {
      vrm: `CL${String((Date.now() % 80) + 10)} ${String.fromCharCode(65 + (Date.now() % 26))}RR`,
      make: 'Audi',
      colour: 'white',
    });
    expect(created.status).toBe(201);
    const url = `/api/v1/police/vehicles/${created.body.id}`;
    expect(refused(await patch(url, { vrm: null }, 1))).toEqual(['vrm']);
    const cleared = await patch(url, { make: null, colour: null }, 1);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ make: null, colour: null, vrm: created.body.vrm, version: 2 });
  });

  it('a location: the point cleared (both or neither); address, postcode and the hotspot flag refused', async () => {
    const created = await post('/api/v1/police/locations', {
      address: `${Date.now() % 1000} Clearance Street`,
      postcode: 'NT2 9ZZ',
      latitude: 53.2,
      longitude: -1.4,
      hotspot: true,
    });
    expect(created.status).toBe(201);
    const url = `/api/v1/police/locations/${created.body.id}`;
    expect(refused(await patch(url, { address: null }, 1))).toEqual(['address']);
    expect(refused(await patch(url, { postcode: null }, 1))).toEqual(['postcode']);
    expect(refused(await patch(url, { hotspot: null }, 1))).toEqual(['hotspot']);
    expect(refused(await patch(url, { latitude: null }, 1))).toEqual(['latitude']);
    expect(refused(await patch(url, { latitude: null, longitude: -1.5 }, 1))).toEqual(['latitude']);
    const cleared = await patch(url, { latitude: null, longitude: null }, 1);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ latitude: null, longitude: null, hotspot: true, version: 2 });
  });
});
