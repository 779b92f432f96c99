import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretBox, verifyWebhookSignature, WebhookDispatcher } from '@app/platform';
import { startTestApp, type TestContext } from './support/app';
import { freshNhsNumber } from './support/factories';

const NSC_TM = 'team.manager@northshire-council.example';
const NSC_ADMIN = 'admin@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const SECRET = 'a-webhook-secret-of-at-least-32-characters!';
const NSC_SW = 'social.worker@northshire-council.example';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('cross-boundary information sharing and the machine API', () => {
  let t: TestContext;
  let receiver: Server;
  const received: Received[] = [];
  let client: string;
  let orgs: Record<string, string>;
  let teams: Record<string, string>;
  let kai: string;

  /** A child known to Northshire Council alone, with a council section: state no other test shares. */
  const councilChild = async () => {
    const nhsNumber = freshNhsNumber();
    const given = `Shared${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
    const child = await post(NSC_SW, '/api/v1/children', {
      givenName: given,
      familyName: 'Sharing',
      dateOfBirth: '2010-02-20',
      nhsNumber,
    });
    expect(child.status).toBe(201);
    const section = await t.http
      .put(`/api/v1/children/${child.body.id}/sections/${orgs.NSC}`)
      .set('Authorization', await t.as(NSC_SW))
      .send({ legalStatus: 'S20', planStatus: 'child_protection_plan' });
    expect(section.status).toBe(200);
    return { id: child.body.id as string, nhsNumber, givenName: given };
  };

  const clientToken = async () => {
    const res = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    return `Bearer ${res.body.accessToken as string}`;
  };
  const as = async (who: string) => (who === 'client' ? client : t.as(who));
  const post = async (who: string, url: string, body: object, key?: string) => {
    const req = t.http.post(url).set('Authorization', await as(who));
    // Partner systems must send a key with every POST (428 otherwise).
    const sent = key ?? (who === 'client' ? randomUUID() : undefined);
    if (sent) req.set('Idempotency-Key', sent);
    return req.send(body);
  };
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await as(who));
  const deliver = async () => {
    const dispatcher = t.app.get(WebhookDispatcher, { strict: false });
    await dispatcher.fanOut();
    await dispatcher.deliverDue();
  };
  const eventsOf = (type: string) =>
    received.map((r) => ({ ...r, json: JSON.parse(r.body) })).filter((r) => r.json.type === type);

  beforeAll(async () => {
    t = await startTestApp();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    client = await clientToken();
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
    kai = (await t.db.query(`SELECT id FROM child WHERE given_name = 'Kai' AND family_name = 'Robinson'`))[0].id;
    const port = (receiver.address() as AddressInfo).port;
    const hook = await post('client', '/api/v1/webhooks', {
      url: `http://127.0.0.1:${port}/hooks`,
      secret: SECRET,
      events: ['referral.status_changed', 'information_request.decided', 'child.linked', 'grant.expiring'],
    });
    expect(hook.status).toBe(201);
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
    await t.close();
  });

  it('takes a cross-force referral from a partner system once, however often it is retried, and signs the status webhook', async () => {
    const body = {
      toTeamId: teams['NSP/CSE Unit'],
      childId: kai,
      reason: 'Found in Southshire after a missing episode; county lines indicators.',
      rag: 'RED',
      consentObtained: false,
      noConsentReason: 'Risk of harm if the family is told.',
      lawfulBasis: 'DPA_2018_PART3_LAW_ENFORCEMENT',
    };
    const first = await post('client', '/api/v1/referrals', body, 'ssp-ref-0001');
    const retry = await post('client', '/api/v1/referrals', body, 'ssp-ref-0001');
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    expect(
      (await t.db.query(`SELECT count(*)::int n FROM referral WHERE reason LIKE 'Found in Southshire%'`))[0].n,
    ).toBe(1);

    await post(CSE, `/api/v1/referrals/${first.body.id}/transitions`, { to: 'ACKNOWLEDGED' });
    await deliver();
    const hooks = eventsOf('referral.status_changed').filter((h) => h.json.data.referralId === first.body.id);
    expect(hooks).toHaveLength(1);
    const h = hooks[0]!;
    expect(h.json.data).toMatchObject({ from: 'SUBMITTED', to: 'ACKNOWLEDGED' });
    const now = Math.floor(Date.now() / 1000);
    const ts = String(h.headers['webhook-timestamp']);
    const sig = String(h.headers['webhook-signature']);
    expect(verifyWebhookSignature(SECRET, ts, sig, h.body, new Date(Number(ts) * 1000 || now * 1000))).toBe(true);
    expect(
      verifyWebhookSignature(SECRET, ts, sig, h.body.replace('ACKNOWLEDGED', 'ACCEPTED'), new Date(Number(ts) * 1000)),
    ).toBe(false);
    expect(
      verifyWebhookSignature('another-secret-another-secret-another', ts, sig, h.body, new Date(Number(ts) * 1000)),
    ).toBe(false);
  });

  it('runs an information request: the decision reaches the requester by webhook, then it reads the granted classes and nothing else', async () => {
    // Southshire Police does not hold this child: identified by NHS number only.
    const child = await councilChild();
    const leah = child.id;
    await get('client', `/api/v1/children/${leah}`).then((r) => expect(r.status).toBe(404));
    const request = await post(
      'client',
      '/api/v1/information-requests',
      {
        toOrganisationId: orgs.NSC,
        identifiers: { nhsNumber: child.nhsNumber },
        purpose: 'Joint strategy discussion: exploitation across the force boundary.',
        classesRequested: ['social-care'],
        urgency: 'urgent',
      },
      'ssp-ir-0001',
    );
    expect(request.status).toBe(201);
    expect(request.body).not.toHaveProperty('childId');
    expect(request.body).not.toHaveProperty('identification');
    expect(new Date(request.body.dueAt).getTime() - t.clock.now().getTime()).toBe(4 * 3_600_000);

    const inbox = await get(NSC_TM, '/api/v1/information-requests/inbox');
    const mine = inbox.body.data.find((r: any) => r.id === request.body.id);
    expect(mine).toMatchObject({ childId: leah, status: 'REQUESTED' });

    const until = new Date(t.clock.now().getTime() + 2 * 86_400_000).toISOString();
    const disclose = {
      decision: 'DISCLOSE',
      reason: 'Needed for the strategy discussion.',
      classes: ['social-care'],
      until,
      lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
    };
    const noJustification = await post(NSC_TM, `/api/v1/information-requests/${request.body.id}/decision`, disclose);
    expect(noJustification.status).toBe(400);
    expect(noJustification.body.errors[0].field).toBe('justification');
    const decided = await post(NSC_TM, `/api/v1/information-requests/${request.body.id}/decision`, {
      ...disclose,
      justification: 'No protocol with Southshire yet; urgent risk of significant harm.',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      status: 'DISCLOSED',
      classesDisclosed: ['social-care'],
      grantId: expect.any(String),
    });

    await deliver();
    const hook = eventsOf('information_request.decided').find((h) => h.json.data.requestId === request.body.id);
    expect(hook?.json.data).toMatchObject({ status: 'DISCLOSED' });
    expect(
      verifyWebhookSignature(
        SECRET,
        String(hook!.headers['webhook-timestamp']),
        String(hook!.headers['webhook-signature']),
        hook!.body,
        new Date(Number(hook!.headers['webhook-timestamp']) * 1000),
      ),
    ).toBe(true);

    // The partner reads the council's section: social-care fields only.
    const section = await get('client', `/api/v1/children/${leah}/sections/${orgs.NSC}`);
    expect(section.status).toBe(200);
    expect(section.body).toMatchObject({ legalStatus: 'S20', planStatus: 'child_protection_plan' });
    for (const other of [
      'intelligenceNotes',
      'markers',
      'healthNotes',
      'sexualHealthNotes',
      'safeguardingNotes',
      'schoolName',
    ]) {
      expect(section.body).not.toHaveProperty(other);
    }
    expect((await get('client', `/api/v1/children/${leah}/sections/${orgs.NNHS}`)).status).toBe(404);
    expect((await get('client', `/api/v1/children/${leah}/sections/${orgs.RVA}`)).status).toBe(404);
    const chronology = await get('client', `/api/v1/children/${leah}/chronology`);
    expect(
      chronology.body.data.every(
        (e: any) =>
          e.organisationId === orgs.SSP || ['identity', 'contact', 'police-intelligence'].includes(e.sensitivity),
      ),
    ).toBe(true);

    // The child's access log shows which partner read what, under which grant.
    const log = (await get(NSC_TM, `/api/v1/children/${leah}/access-log`)).body.data;
    expect(log.find((e: any) => e.subjectType === 'ChildSection' && e.actor.kind === 'client')).toMatchObject({
      actor: { name: 'Southshire Police case system' },
      organisation: { id: orgs.SSP },
      underGrant: ['social-care'],
    });

    // After the grant's end, the same reads are refused.
    const before = t.clock.now();
    t.clock.set(new Date(new Date(until).getTime() + 1000));
    expect((await get('client', `/api/v1/children/${leah}/sections/${orgs.NSC}`)).status).toBe(404);
    expect((await get('client', `/api/v1/children/${leah}`)).status).toBe(404);
    t.clock.set(before);
  });

  it('reads only the classes disclosed, and stops access at once when a grant is revoked', async () => {
    const child = await councilChild();
    const request = (
      await post('client', '/api/v1/information-requests', {
        toOrganisationId: orgs.NSC,
        identifiers: { givenName: child.givenName, familyName: 'Sharing', dateOfBirth: '2010-02-20' },
        purpose: 'Follow-up enquiries.',
        classesRequested: ['identity', 'social-care'],
        urgency: 'standard',
      })
    ).body;
    const decided = await post(NSC_TM, `/api/v1/information-requests/${request.id}/decision`, {
      decision: 'DISCLOSE',
      reason: 'Identity only: the social-care detail is not needed for this purpose.',
      classes: ['identity'],
      until: new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString(),
      lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
      justification: 'Joint investigation under way.',
    });
    expect(decided.status).toBe(200);
    const section = await get('client', `/api/v1/children/${child.id}/sections/${orgs.NSC}`);
    expect(section.status).toBe(200);
    expect(section.body).not.toHaveProperty('legalStatus');
    expect(section.body).not.toHaveProperty('planStatus');
    const revoked = await post(NSC_TM, `/api/v1/sharing/grants/${decided.body.grantId}/revoke`, {
      reason: 'Investigation closed.',
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ active: false, revokeReason: 'Investigation closed.' });
    expect((await get('client', `/api/v1/children/${child.id}/sections/${orgs.NSC}`)).status).toBe(404);
    expect((await get('client', `/api/v1/children/${child.id}`)).status).toBe(404);
  });

  it('reveals nothing about a child the requester cannot identify', async () => {
    const ask = (identifiers: object) =>
      post('client', '/api/v1/information-requests', {
        toOrganisationId: orgs.NSC,
        identifiers,
        purpose: 'Checks.',
        classesRequested: ['identity'],
        urgency: 'standard',
      });
    const known = await ask({ nhsNumber: '4857773457' }); // Oliver, held by the council
    const unknown = await ask({ nhsNumber: freshNhsNumber() }); // nobody the council holds
    expect(known.status).toBe(201);
    expect(unknown.status).toBe(201);
    const shape = (b: any) => Object.keys(b).sort();
    expect(shape(known.body)).toEqual(shape(unknown.body));
    for (const b of [known.body, unknown.body]) {
      expect(b).toMatchObject({ status: 'REQUESTED', toOrganisationId: orgs.NSC });
      expect(JSON.stringify(b)).not.toMatch(/Oliver|Bennett|childId/);
    }
    // Declining is recorded with its reason; the requester learns the decision only.
    const declined = await post(NSC_TM, `/api/v1/information-requests/${unknown.body.id}/decision`, {
      decision: 'DECLINE',
      reason: 'Not known to us.',
    });
    expect(declined.body.status).toBe('DECLINED');
    const seen = await get('client', `/api/v1/information-requests/${unknown.body.id}`);
    expect(seen.body).toMatchObject({ status: 'DECLINED', decisionReason: 'Not known to us.' });
    expect(seen.body).not.toHaveProperty('childId');
  });

  it('lists every decision to share or not, with reason and lawful basis; an agreement removes the need for a justification', async () => {
    const decisions = (await get(NSC_TM, '/api/v1/sharing/decisions')).body.data;
    expect(decisions.some((d: any) => d.status === 'DECLINED' && d.decisionReason)).toBe(true);
    expect(
      decisions.some(
        (d: any) =>
          d.status === 'DISCLOSED' && d.lawfulBasis === 'DPA_2018_SCH1_PARA18_SAFEGUARDING' && d.justification,
      ),
    ).toBe(true);

    const today = t.clock.now().toISOString().slice(0, 10);
    const agreement = await post(NSC_ADMIN, '/api/v1/sharing/agreements', {
      name: 'Northshire and Southshire exploitation protocol',
      purpose: 'Cross-boundary child exploitation',
      lawfulBasis: 'UK_GDPR_6_1_E_PUBLIC_TASK',
      startsOn: today,
      endsOn: '2027-12-31',
      parties: [
        { organisationId: orgs.NSC, receivableClasses: ['police-intelligence'] },
        { organisationId: orgs.SSP, receivableClasses: ['social-care', 'identity'] },
      ],
    });
    expect(agreement.status).toBe(201);
    expect((await get(CSE, '/api/v1/sharing/agreements')).body.data.map((a: any) => a.id)).not.toContain(
      agreement.body.id,
    );
    expect((await get('client', '/api/v1/sharing/agreements')).body.data.map((a: any) => a.id)).toContain(
      agreement.body.id,
    );
    const child = await councilChild();
    const request = (
      await post('client', '/api/v1/information-requests', {
        toOrganisationId: orgs.NSC,
        identifiers: { nhsNumber: child.nhsNumber },
        purpose: 'Under the protocol.',
        classesRequested: ['social-care'],
        urgency: 'standard',
      })
    ).body;
    const decided = await post(NSC_TM, `/api/v1/information-requests/${request.id}/decision`, {
      decision: 'DISCLOSE',
      reason: 'Covered by the protocol.',
      classes: ['social-care'],
      until: new Date(t.clock.now().getTime() + 86_400_000).toISOString(),
      lawfulBasis: 'UK_GDPR_6_1_E_PUBLIC_TASK',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ agreementId: agreement.body.id, justification: null });
  });

  it('tells both sides when a partner registers a child another organisation holds, without the content', async () => {
    const res = await post('cse.officer@southshire-police.example', '/api/v1/children', {
      givenName: 'Oliver',
      familyName: 'Bennett',
      dateOfBirth: '2013-05-14',
    });
    expect(res.status).toBe(409);
    expect(res.body.heldBy).toEqual([{ organisationId: orgs.NSC, name: "Northshire Council Children's Services" }]);
    expect(JSON.stringify(res.body)).not.toMatch(/NSC-100231|4857773457|Canal Street/);
    const notes = (await get(NSC_TM, '/api/v1/notifications')).body.data;
    expect(notes.some((n: any) => n.kind === 'child.linked' && n.message.includes(res.body.matchReference))).toBe(true);
    // The partner system of the registering force hears of it too.
    await deliver();
    expect(eventsOf('child.linked').some((h) => h.json.data.matchReference === res.body.matchReference)).toBe(true);
  });

  it("takes a referral by match reference without showing the sender the other agency's child, not even its id", async () => {
    const officer = 'cse.officer@southshire-police.example';
    const match = await post(officer, '/api/v1/children', {
      givenName: 'Oliver',
      familyName: 'Bennett',
      dateOfBirth: '2013-05-14',
    });
    expect(match.status).toBe(409);
    const oliver = (await t.db.query(`SELECT id FROM child WHERE given_name = 'Oliver' AND family_name = 'Bennett'`))[0]
      .id;
    const sent = await post(officer, '/api/v1/referrals', {
      toTeamId: teams['NSC/MASH'],
      matchReference: match.body.matchReference,
      reason: 'Seen in Southshire with older males in a car; we believe your service holds this child.',
      rag: 'AMBER',
      consentObtained: true,
    });
    expect(sent.status).toBe(201);
    expect(sent.body.childId).toBeNull();
    expect(JSON.stringify(sent.body)).not.toContain(oliver);
    const sentList = (await get(officer, '/api/v1/referrals/sent')).body.data;
    const mine = sentList.find((r: any) => r.id === sent.body.id);
    expect(mine.childId).toBeNull();
    const read = await get(officer, `/api/v1/referrals/${sent.body.id}`);
    expect(read.body.childId).toBeNull();
    // The child's access log still shows the sender's read.
    const [event] = await t.db.query(
      `SELECT action, child_ids::text[] AS child_ids FROM audit_event WHERE request_id = $1`,
      [read.headers['x-request-id']],
    );
    expect(event).toEqual({ action: 'referral.read', child_ids: [oliver] });
    // The receiving council sees which of its children the referral is about.
    const received = await get(NSC_TM, `/api/v1/referrals/${sent.body.id}`);
    expect(received.status).toBe(200);
    expect(received.body.childId).toBe(oliver);
    expect((await t.db.query('SELECT child_id FROM referral WHERE id = $1', [sent.body.id]))[0].child_id).toBe(oliver);
  });

  it('stores webhook secrets sealed, never in clear, and seals any stored before that', async () => {
    const stored = await t.db.query(`SELECT id, secret FROM webhook_subscription`);
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) {
      expect(row.secret).toMatch(/^enc:v1:/);
      expect(row.secret).not.toContain(SECRET);
    }
    // A subscription from before sealing (its secret in clear) is sealed by the worker's start-up.
    const [legacy] = await t.db.query(
      `INSERT INTO webhook_subscription (organisation_id, client_id, url, secret, events, active)
       SELECT organisation_id, client_id, 'https://legacy.example/hooks', 'a-legacy-secret-in-clear-0123456789', '{}', false
         FROM webhook_subscription LIMIT 1 RETURNING id`,
    );
    expect(await t.app.get(WebhookDispatcher).sealStoredSecrets()).toBe(1);
    const [after] = await t.db.query(`SELECT secret FROM webhook_subscription WHERE id = $1`, [legacy.id]);
    expect(after.secret).toMatch(/^enc:v1:/);
    expect(t.app.get(SecretBox).open(after.secret, legacy.id)).toBe('a-legacy-secret-in-clear-0123456789');
    expect(() => t.app.get(SecretBox).open(after.secret, stored[0].id)).toThrow();
    await t.db.query(`DELETE FROM webhook_subscription WHERE id = $1`, [legacy.id]);
  });

  it('refuses a match reference the organisation was not given, in a referral and in a request, writing nothing', async () => {
    const officer = 'cse.officer@southshire-police.example';
    const count = async () =>
      (await t.db.query('SELECT (SELECT count(*) FROM referral) + (SELECT count(*) FROM information_request) AS n'))[0]
        .n;
    const before = await count();
    for (const [url, body] of [
      [
        '/api/v1/referrals',
        { toTeamId: teams['NSC/MASH'], reason: 'Concerns about exploitation.', rag: 'AMBER', consentObtained: true },
      ],
      [
        '/api/v1/information-requests',
        { toOrganisationId: orgs.NSC, purpose: 'Checks.', classesRequested: ['identity'], urgency: 'standard' },
      ],
    ] as const) {
      const res = await post(officer, url, { ...body, matchReference: 'MR-000000000000' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'matchReference', message: expect.any(String) }]);
    }
    expect(await count()).toBe(before);
  });

  it('keeps a delivery log and replays a delivery', async () => {
    const hooks = (await get('client', '/api/v1/webhooks')).body.data;
    const log = (await get('client', `/api/v1/webhooks/${hooks[0].id}/deliveries`)).body.data;
    expect(log.length).toBeGreaterThan(0);
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    const count = received.filter((r) => JSON.parse(r.body).id === log[0].eventId).length;
    const replay = await t.http
      .post(`/api/v1/webhooks/${hooks[0].id}/deliveries/${log[0].id}/replay`)
      .set('Authorization', client)
      .set('Idempotency-Key', randomUUID());
    expect(replay.status).toBe(204);
    await deliver();
    expect(received.filter((r) => JSON.parse(r.body).id === log[0].eventId).length).toBe(count + 1);
    // Another organisation's user sees no webhooks of the client.
    expect((await get(NSC_TM, `/api/v1/webhooks/${hooks[0].id}/deliveries`)).status).toBe(403);
  });
});

describe('per-client rate limit', () => {
  let t: TestContext;
  let other: TestContext;
  beforeAll(async () => {
    t = await startTestApp({ CLIENT_RATE_LIMIT_PER_MINUTE: '3' });
    other = await startTestApp({ CLIENT_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });
  // The counters are shared through the database: start each case from a clean count.
  beforeEach(() => t.db.query('DELETE FROM rate_limit_window'));

  it('answers 429 with Retry-After past the limit, for that client only', async () => {
    const token = (
      await t.http.post('/api/v1/auth/token').send({
        grant_type: 'client_credentials',
        client_id: 'southshire-police-case-system',
        client_secret: 'demo-client-secret',
      })
    ).body.accessToken;
    const statuses: number[] = [];
    let last: any;
    for (let i = 0; i < 4; i++) {
      last = await t.http.get('/api/v1/organisations').set('Authorization', `Bearer ${token}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(last.headers['content-type']).toMatch(/problem\+json/);
    // People are not throttled by the client limit.
    for (let i = 0; i < 5; i++) {
      await t.http
        .get('/api/v1/organisations')
        .set('Authorization', await t.as('cse.officer@northshire-police.example'))
        .expect(200);
    }
  });

  it('counts a client once across every route and every API instance', async () => {
    const token = (
      await t.http.post('/api/v1/auth/token').send({
        grant_type: 'client_credentials',
        client_id: 'southshire-police-case-system',
        client_secret: 'demo-client-secret',
      })
    ).body.accessToken;
    const auth = `Bearer ${token}`;
    await t.http.get('/api/v1/organisations').set('Authorization', auth).expect(200);
    await other.http.get('/api/v1/organisations').set('Authorization', auth).expect(200);
    await other.http.get('/api/v1/webhooks').set('Authorization', auth).expect(200);
    const fourth = await t.http.get('/api/v1/webhooks').set('Authorization', auth);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(fourth.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});
