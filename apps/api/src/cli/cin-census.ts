import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { AuditService } from '@app/audit';
import { buildCensusXml, loadCensus, validateCensus } from '@app/childrens-services';
import { namedQuery, type OrganisationType, runMigrationsLocked } from '@app/platform';
import { fail, openDatabase } from './database';

/**
 * `npm run returns:cin-census -- --year 2026 --la NSC --as <performance officer's email> [--out FILE]`:
 * the council's CIN census XML on standard output (or to FILE), or the validation errors on standard
 * error (exit 2). `--as` names the accountable performance officer of that council: the return is
 * child-level data, and every child it names goes on their access log in that person's name.
 */
async function main(): Promise<void> {
  const args = new Map<string, string>();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '');
  const year = Number(args.get('year'));
  const la = args.get('la');
  const as = args.get('as');
  if (!Number.isInteger(year) || year < 2000 || !la || !as) {
    fail('usage: npm run returns:cin-census -- --year 2026 --la <organisation code> --as <email> [--out FILE]');
  }
  const { ds, close } = await openDatabase();
  try {
    await runMigrationsLocked(ds);
    const xml = await ds.transaction('REPEATABLE READ', async (tx) => {
      const [user] = await namedQuery<{
        id: string;
        organisationId: string;
        type: OrganisationType;
        teamId: string | null;
        roles: string[];
      }>(
        tx,
        `SELECT u.id, u.organisation_id AS "organisationId", o.type, u.team_id AS "teamId", u.roles
           FROM app_user u JOIN organisation o ON o.id = u.organisation_id
          WHERE u.email = :as AND o.code = :la AND u.active AND 'performance_officer' = ANY(u.roles)`,
        { as, la },
      );
      if (!user) fail(`${as} is not an active performance officer of ${la}.`);
      const children = await loadCensus(tx, user.organisationId, year);
      const errors = validateCensus(children, year);
      await new AuditService(ds).record(tx, {
        actor: {
          kind: 'user',
          id: user.id,
          organisationId: user.organisationId,
          organisationType: user.type,
          teamId: user.teamId,
          roles: user.roles,
          scopes: [],
        },
        action: 'cin_census.export',
        subjectType: 'StatutoryReturn',
        subjectIds: children.map((c) => c.episodes[0]!.caseId),
        childIds: children.map((c) => c.childId),
        outcome: 'allowed',
        purpose: 'statutory_return',
        details: { year, children: children.length, errors: errors.length, via: 'cli' },
        at: new Date(),
      });
      if (errors.length) {
        for (const e of errors) console.error(`${e.rule}\t${e.laChildId ?? e.childId}\t${e.message}`);
        return null;
      }
      return buildCensusXml(children, { year, la: la!, generatedAt: new Date() });
    });
    if (xml === null) {
      process.exitCode = 2;
      return;
    }
    const out = args.get('out');
    if (out) writeFileSync(out, xml);
    else process.stdout.write(xml);
  } finally {
    await close();
  }
}

main().catch(fail);
