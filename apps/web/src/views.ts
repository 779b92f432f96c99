import type { Express } from 'express';
import nunjucks from 'nunjucks';
import { dueText, formatDate, formatDateTime, subjectName } from './format';
import * as labels from './labels';
import { GOVUK, MOJ, VIEWS } from './paths';

/** Nunjucks with GOV.UK Frontend's and MOJ Frontend's macros, autoescaped; templates cached in production. */
export function setUpViews(app: Express, production: boolean): nunjucks.Environment {
  const env = nunjucks.configure([VIEWS, GOVUK, MOJ], {
    autoescape: true,
    express: app,
    noCache: !production,
    throwOnUndefined: false,
  });
  app.set('view engine', 'njk');
  env.addFilter('date', formatDate);
  env.addFilter('dateTime', formatDateTime);
  env.addFilter('due', (v: unknown) => dueText(v));
  env.addFilter('subjectName', subjectName);
  env.addFilter('label', (value: unknown, map: Record<string, string>) =>
    typeof value === 'string' ? (map?.[value] ?? value.replace(/_/g, ' ')) : '',
  );
  env.addFilter('choices', labels.choices);

  env.addGlobal('labels', labels);
  env.addGlobal('serviceName', 'Safeguarding Hub');
  return env;
}
