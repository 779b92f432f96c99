import { createMongoAbility, type RawRuleOf, type MongoAbility } from '@casl/ability';
import { unpackRules, type PackRule } from '@casl/ability/extra';
import { Router, type Request } from 'express';
import { ApiError, must, SignedOutError } from '../api/api-client';
import { backWithErrors, field, formView, takeForm, type FormError } from '../http/forms';
import { type Capabilities, sealToken, type SignedInUser } from '../http/session';
import { safeReturnPath } from '../http/signed-in';
import type { WebConfig } from '../web-config';

/** What the menus offer, from the API's own rules for this person (GET /me). */
export function capabilitiesOf(packed: unknown[]): Capabilities {
  const ability: MongoAbility = createMongoAbility(unpackRules(packed as PackRule<RawRuleOf<MongoAbility>>[]));
  return {
    logConcern: ability.can('create', 'Concern'),
    decideConcerns: ability.can('update', 'Concern'),
    receiveReferrals: ability.can('receive', 'Referral'),
    sendReferrals: ability.can('create', 'Referral'),
    triageReferrals: ability.can('triage', 'Referral'),
    readChildren: ability.can('read', 'Child'),
    addChronology: ability.can('create', 'ChronologyEntry'),
    readAccessLog: ability.can('read', 'AccessLog'),
    breakGlass: ability.can('create', 'BreakGlass'),
    receiveRequests: ability.can('receive', 'InformationRequest'),
    sendRequests: ability.can('create', 'InformationRequest'),
    readDashboard: ability.can('read', 'OversightDashboard'),
  };
}

function renderSignIn(req: Request) {
  const notice = req.session.signInNotice;
  delete req.session.signInNotice;
  return { form: formView(takeForm(req, 'sign-in')), notice };
}

export function signInRoutes(config: WebConfig): Router {
  const router = Router();

  router.get('/sign-in', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    res.render('pages/sign-in', renderSignIn(req));
  });

  router.post('/sign-in', async (req, res) => {
    const email = field(req.body, 'email');
    const password = typeof req.body?.password === 'string' ? (req.body.password as string) : '';
    const errors: FormError[] = [];
    if (!email) errors.push({ field: 'email', text: 'Enter your email address' });
    if (!password) errors.push({ field: 'password', text: 'Enter your password' });
    // The password is never put back into the form, nor kept.
    if (errors.length) return backWithErrors(req, res, 'sign-in', { email }, errors, '/sign-in');

    const login = await req.api.POST('/api/v1/auth/login', { body: { email, password } });
    if (!login.response.ok) {
      const status = login.response.status;
      if (status === 401 || status === 400) {
        return backWithErrors(
          req,
          res,
          'sign-in',
          { email },
          [{ field: 'email', text: 'Enter a correct email address and password' }],
          '/sign-in',
        );
      }
      if (status === 429) {
        const wait = Number(login.response.headers.get('retry-after') ?? '900');
        return backWithErrors(
          req,
          res,
          'sign-in',
          { email },
          [{ field: 'email', text: `Too many attempts. Wait ${Math.ceil(wait / 60)} minutes, then try again` }],
          '/sign-in',
        );
      }
      throw new ApiError(status, undefined, 'sign-in failed');
    }
    const token = login.data!.accessToken;
    const expiresIn = login.data!.expiresIn;

    const meResult = await req.api.GET('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    let me;
    try {
      me = must(meResult);
    } catch (err) {
      if (err instanceof SignedOutError) throw new ApiError(401, undefined, 'token refused at once');
      throw err;
    }
    const user: SignedInUser = {
      id: me.id,
      name: me.name,
      email: me.email ?? null,
      organisationId: me.organisation.id,
      organisationName: me.organisation.name,
      organisationType: me.organisation.type,
      teamName: me.team?.name ?? null,
      roles: me.roles,
      can: capabilitiesOf(me.permissions),
    };
    const returnTo = safeReturnPath(req.session.returnTo);
    // A new session id at sign-in: a session id planted before cannot be ridden afterwards.
    await new Promise<void>((done, fail) => req.session.regenerate((err) => (err ? fail(err) : done())));
    req.session.auth = {
      sealedToken: sealToken(token, config.sessionSecret),
      tokenExpiresAt: Date.now() + expiresIn * 1000 - 5_000,
      user,
    };
    res.redirect(303, returnTo);
  });

  router.post('/sign-out', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('hub.sid', { path: '/' });
      res.redirect(303, '/signed-out');
    });
  });

  router.get('/signed-out', (_req, res) => res.render('pages/signed-out'));

  router.get('/session-ended', (req, res, next) => {
    // The page's own timer (JavaScript) came here: the session is over whatever the cookie says.
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('hub.sid', { path: '/' });
      res.render('pages/session-ended');
    });
  });

  return router;
}
