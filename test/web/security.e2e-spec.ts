import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../support/app';
import { heading, launchChromium, newContext, signIn, startWebStack, type WebStack } from '../support/web';

/** A tiny browser without a browser: one cookie jar, no redirects followed. */
class Client {
  private cookie = '';
  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(path: string, form?: Record<string, string>) {
    const res = await fetch(`${this.base}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return { status: res.status, headers: res.headers, setCookie, body: await res.text() };
  }

  static csrfOf(html: string): string {
    return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  }

  async signIn(email: string): Promise<void> {
    const page = await this.request('/sign-in');
    const res = await this.request('/sign-in', { _csrf: Client.csrfOf(page.body), email, password: DEMO_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  }
}

describe('web: security', () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack({}, { TOKEN_REVOCATION_POLL_SECONDS: '1' });
  });
  afterAll(() => stack?.close());

  it("refuses a form posted without its CSRF token, or with another session's: nothing happens", async () => {
    const client = new Client(stack.webUrl);
    await client.request('/sign-in');
    const noToken = await client.request('/sign-in', {
      email: 'social.worker@northshire-council.example',
      password: DEMO_PASSWORD,
    });
    expect(noToken.status).toBe(403);
    expect(noToken.body).toContain('The form has expired');

    const other = new Client(stack.webUrl);
    const otherToken = Client.csrfOf((await other.request('/sign-in')).body);
    const wrongToken = await client.request('/sign-in', {
      _csrf: otherToken,
      email: 'social.worker@northshire-council.example',
      password: DEMO_PASSWORD,
    });
    expect(wrongToken.status).toBe(403);

    // Signed in, a forged form (no token) logs no concern.
    await client.signIn('teacher@riverside-academy.example');
    const before = await stack.api.db.query('SELECT count(*)::int AS n FROM concern');
    const forged = await client.request('/concerns/new/concern', {
      category: 'neglect',
      whatWasSeen: 'forged',
      immediateDanger: 'no',
      'occurredAt-day': '1',
      'occurredAt-month': '1',
      'occurredAt-year': '2026',
    });
    expect(forged.status).toBe(403);
    const after = await stack.api.db.query('SELECT count(*)::int AS n FROM concern');
    expect(after[0].n).toBe(before[0].n);
  });

  it('sets the session cookie httpOnly and SameSite=Lax, with no access token in it', async () => {
    const client = new Client(stack.webUrl);
    const res = await client.request('/sign-in');
    expect(res.setCookie).toMatch(/^hub\.sid=/);
    expect(res.setCookie).toMatch(/; HttpOnly/);
    expect(res.setCookie).toMatch(/; SameSite=Lax/);
    expect(res.setCookie).not.toMatch(/Secure/);
    await client.signIn('social.worker@northshire-council.example');
    // The token lives sealed in the session table: never in the cookie, never in clear.
    const rows: { sess: { auth?: { sealedToken: string } } }[] = await stack.api.db.query(
      `SELECT sess FROM web_session WHERE sess::text LIKE '%sealedToken%'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(JSON.stringify(row.sess)).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });

  it('sets the cookie Secure in production (behind a TLS-terminating proxy)', async () => {
    const prod = await startWebStack({ NODE_ENV: 'production', TRUST_PROXY: 'true' });
    try {
      const client = new Client(prod.webUrl, { 'x-forwarded-proto': 'https' });
      const res = await client.request('/sign-in');
      expect(res.setCookie).toMatch(/; Secure/);
      expect(res.setCookie).toMatch(/; HttpOnly/);
      expect(res.setCookie).toMatch(/; SameSite=Lax/);
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    } finally {
      await prod.close();
    }
  });

  it('sends a strict Content-Security-Policy and pages with no inline script', async () => {
    const client = new Client(stack.webUrl);
    const res = await client.request('/sign-in');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Where the page's time went: waiting for the API, rendering, in all.
    expect(res.headers.get('server-timing')).toMatch(
      /^api;dur=[\d.]+;desc="0 calls", render;dur=[\d.]+, total;dur=[\d.]+$/,
    );
  });

  it('records the user may not see are 404 on every kind of page', async () => {
    const client = new Client(stack.webUrl);
    await client.signIn('social.worker@southshire-council.example');
    for (const path of [
      '/concerns/6f9619ff-8b86-4011-b42d-00c04fc964ff',
      '/referrals/6f9619ff-8b86-4011-b42d-00c04fc964ff',
      '/information-requests/6f9619ff-8b86-4011-b42d-00c04fc964ff',
      '/children/6f9619ff-8b86-4011-b42d-00c04fc964ff/chronology',
      '/children/not-a-uuid',
    ]) {
      expect({ path, status: (await client.request(path)).status }).toEqual({ path, status: 404 });
    }
    // A kind of record the role may not read at all is the API's 403, shown as such.
    const officer = new Client(stack.webUrl);
    await officer.signIn('officer@southshire-police.example');
    const forbidden = await officer.request('/information-requests/6f9619ff-8b86-4011-b42d-00c04fc964ff');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toContain('You cannot do this');
  });

  it('signs the person out cleanly when the API refuses their token, and asks them to sign in again', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await (await newContext(browser, false)).newPage();
      await signIn(page, stack.webUrl, 'analyst@northshire-police.example');
      expect(await heading(page)).toBe('My work');
      // A change to the account ends the tokens already issued (the API's revocation by generation).
      await stack.api.db.query(
        `UPDATE app_user SET token_generation = token_generation + 1, tokens_valid_after = now()
          WHERE email = 'analyst@northshire-police.example'`,
      );
      await new Promise((r) => setTimeout(r, 1500));
      await page.goto(`${stack.webUrl}/notifications`);
      expect(await heading(page)).toBe('Sign in to Safeguarding Hub');
      expect(await page.locator('main').textContent()).toContain('Your session ended. Sign in again to carry on.');
      // Signing in again returns to the page that was asked for.
      await signIn(page, stack.webUrl, 'analyst@northshire-police.example');
      expect(new URL(page.url()).pathname).toBe('/notifications');
    } finally {
      await browser?.close();
    }
  });

  it('warns before the session ends, and "stay signed in" carries on (JavaScript)', async () => {
    const short = await startWebStack({ SESSION_IDLE_MINUTES: '1', SESSION_TIMEOUT_WARNING_SECONDS: '58' });
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await (await newContext(browser, true)).newPage();
      await signIn(page, short.webUrl, 'nurse@northshire-nhs.example');
      const dialog = page.getByRole('dialog', { name: "You're about to be signed out" });
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      await page.getByRole('button', { name: 'Stay signed in' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    } finally {
      await browser?.close();
      await short.close();
    }
  });
});
