import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, can } from '@app/access';
import { AuditService } from '@app/audit';
import { Clock, DomainError, type FieldError, namedQuery } from '@app/platform';
import { declaredTimescales, timescaleDeclaration } from './timescale-declarations';
import type { TimescalesDto } from './timescales.dto';

/** The purpose recorded with changes of local settings: administration, not work on a child's record. */
const ADMINISTRATION = 'organisation_administration';

/** An ETag of an organisation's own values: any change of them changes it. */
function tagOf(local: Record<string, number>): string {
  const canonical = JSON.stringify(Object.entries(local).sort(([a], [b]) => a.localeCompare(b)));
  return `"${createHash('sha256').update(canonical).digest('hex').slice(0, 20)}"`;
}

/**
 * An organisation's local timescales, read and replaced by its administrators: validated against
 * the declarations (unknown key, or a value out of bounds, is a 400 naming the field), guarded by
 * If-Match (a concurrent change wins once, the other gets 412), and audited with before and after.
 */
@Injectable()
export class TimescalesAdmin {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(ctx: AccessContext, organisationId: string): Promise<{ body: TimescalesDto; etag: string }> {
    this.requireAllowed(ctx, 'read', organisationId);
    const local = await this.local(this.db.manager, organisationId);
    return { body: this.view(organisationId, local), etag: tagOf(local) };
  }

  async put(
    ctx: AccessContext,
    organisationId: string,
    ifMatch: string | undefined,
    values: Record<string, unknown>,
  ): Promise<{ body: TimescalesDto; etag: string }> {
    this.requireAllowed(ctx, 'update', organisationId);
    if (ifMatch === undefined) throw DomainError.preconditionRequired('Send If-Match with the ETag you last read.');
    const next = this.validated(values);
    return this.db.transaction(async (tx) => {
      // One change at a time per organisation, without locking another module's rows.
      await namedQuery(tx, `SELECT pg_advisory_xact_lock(hashtext('organisation_timescale:' || :org))`, {
        org: organisationId,
      });
      const before = await this.local(tx, organisationId);
      if (ifMatch.replace(/^W\//, '').trim() !== tagOf(before)) {
        throw DomainError.preconditionFailed('The timescales changed since you read them: read them again.');
      }
      const now = this.clock.now();
      await namedQuery(tx, 'DELETE FROM organisation_timescale WHERE organisation_id = :org', { org: organisationId });
      const keys = Object.keys(next);
      if (keys.length) {
        await namedQuery(
          tx,
          `INSERT INTO organisation_timescale (organisation_id, key, value, updated_at, updated_by)
           SELECT :org, k, v, :now, :by FROM unnest(:keys::text[], :values::int[]) AS t(k, v)`,
          {
            org: organisationId,
            keys,
            values: keys.map((k) => next[k]),
            now,
            by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
          },
        );
      }
      await this.audit.record(tx, {
        actor: ctx.actor,
        action: 'timescales.update',
        subjectType: 'Timescales',
        subjectIds: [organisationId],
        childIds: [],
        outcome: 'allowed',
        purpose: ADMINISTRATION,
        requestId: ctx.requestId,
        clientIp: ctx.clientIp,
        details: { before, after: next },
        at: now,
      });
      return { body: this.view(organisationId, next), etag: tagOf(next) };
    });
  }

  /** Another organisation's settings answer as an organisation that does not exist: 404. */
  private requireAllowed(ctx: AccessContext, action: 'read' | 'update', organisationId: string): void {
    if (!can(ctx.ability, action, 'Timescales', { organisationId })) throw DomainError.notFound('Organisation');
  }

  private validated(values: Record<string, unknown>): Record<string, number> {
    const errors: FieldError[] = [];
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(values)) {
      const field = `timescales.${key}`;
      const declaration = timescaleDeclaration(key);
      if (!declaration) {
        errors.push({ field, message: `${key} is not a timescale (GET lists them)` });
      } else if (typeof value !== 'number' || !Number.isInteger(value)) {
        errors.push({ field, message: `${field} must be a whole number of ${declaration.unit.replace('_', ' ')}` });
      } else if (value < declaration.min || value > declaration.max) {
        errors.push({
          field,
          message: `${field} must be from ${declaration.min} to ${declaration.max} ${declaration.unit.replace('_', ' ')}`,
        });
      } else {
        out[key] = value;
      }
    }
    if (errors.length) throw DomainError.validation(errors);
    return out;
  }

  private async local(tx: EntityManager, organisationId: string): Promise<Record<string, number>> {
    const rows = await namedQuery<{ key: string; value: number }>(
      tx,
      'SELECT key, value FROM organisation_timescale WHERE organisation_id = :org ORDER BY key',
      { org: organisationId },
    );
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  private view(organisationId: string, local: Record<string, number>): TimescalesDto {
    return {
      organisationId,
      timescales: declaredTimescales().map(({ key, declaration: d }) => ({
        key,
        value: local[key] ?? d.default,
        local: key in local,
        default: d.default,
        unit: d.unit,
        min: d.min,
        max: d.max,
        description: d.description,
      })),
    };
  }
}
