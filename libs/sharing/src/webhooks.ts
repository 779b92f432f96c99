import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Injectable, Param, Post, Query } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  IsUrl,
  Length,
  MaxLength,
} from 'class-validator';
import { DataSource } from 'typeorm';
import {
  abilityToSql,
  type AccessContext,
  columnsFrom,
  CurrentAccess,
  RequirePermission,
  rolesAllowed,
} from '@app/access';
import {
  ApiNextCursor,
  ApiPageData,
  ApiProblems,
  Clock,
  DomainError,
  Idempotent,
  namedQuery,
  Notifier,
  OutboxService,
  PageQuery,
  SecretBox,
  UuidParamPipe,
  WebhookDispatcher,
  WebhookSubscription,
  WebhookTargets,
} from '@app/platform';

export const WEBHOOK_EVENTS = [
  'referral.status_changed',
  'information_request.decided',
  'child.linked',
  'grant.expiring',
] as const;

/** The subscription's column holds 500 characters. */
const WEBHOOK_URL_MAX_LENGTH = 500;
/** Subscriptions one partner system may hold (POST /webhooks refuses more: 422). */
export const MAX_WEBHOOKS_PER_CLIENT = 50;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://case-system.southshire-police.example/hooks/safeguarding' })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['https', 'http'] })
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url!: string;

  @ApiProperty({ minLength: 32, description: 'Shared secret for the HMAC-SHA256 signature; keep it safe.' })
  @IsString()
  @Length(32, 200)
  secret!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events!: string[];
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uri', maxLength: WEBHOOK_URL_MAX_LENGTH }) url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, maxItems: WEBHOOK_EVENTS.length }) events!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: Date;
}

export class WebhookList {
  @ApiProperty({ type: [WebhookDto], maxItems: MAX_WEBHOOKS_PER_CLIENT }) data!: WebhookDto[];
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) eventType!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 500 }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

export class DeliveryPage {
  @ApiPageData(DeliveryDto) data!: DeliveryDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

const uuid = new UuidParamPipe();

@ApiTags('machine API')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly dispatcher: WebhookDispatcher,
    private readonly secrets: SecretBox,
    private readonly targets: WebhookTargets,
  ) {}

  private async mine(ctx: AccessContext, id: string): Promise<void> {
    const scope = abilityToSql(
      ctx.ability,
      'read',
      'Webhook',
      columnsFrom(this.db.getRepository(WebhookSubscription).metadata, 'w'),
      'wh',
    );
    const rows = await namedQuery(
      this.db.manager,
      `SELECT 1 FROM webhook_subscription w WHERE w.id = :id AND ${scope.sql}`,
      { ...scope.params, id },
    );
    if (!rows.length) throw DomainError.notFound('Webhook');
  }

  @Post()
  @Idempotent()
  @RequirePermission('create', 'Webhook')
  @ApiOperation({
    summary: 'Subscribe a URL to events (partner systems)',
    description:
      'Each delivery is a POST with JSON {id, type, occurredAt, organisationId, data} and headers Webhook-Id, Webhook-Timestamp ' +
      '(unix seconds) and Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with your secret>. ' +
      'Reject stale timestamps (over 5 minutes) and de-duplicate by Webhook-Id. Failed deliveries are retried with backoff.',
  })
  @ApiCreatedResponse({ type: WebhookDto })
  @ApiProblems(
    [403, 'Webhooks are registered by API clients (partner systems), not by people.'],
    [422, `WEBHOOK.LIMIT_REACHED: a partner system holds at most ${MAX_WEBHOOKS_PER_CLIENT} subscriptions.`],
  )
  async create(@CurrentAccess() ctx: AccessContext, @Body() dto: CreateWebhookDto): Promise<WebhookDto> {
    if (ctx.actor.kind !== 'client') throw DomainError.forbidden('Webhooks are registered by API clients.');
    // In production: https, and every address the host resolves to public (checked again at each delivery).
    await this.targets.assertAllowed(dto.url);
    // The id is chosen here so the secret can be sealed to it (SecretBox context).
    const id = randomUUID();
    const saved = await this.db.transaction(async (tx) => {
      // One client's subscriptions are added in turn, so two at once cannot pass the count together.
      await tx.query('SELECT 1 FROM api_client WHERE id = $1 FOR NO KEY UPDATE', [ctx.actor.id]);
      const [{ held }] = await tx.query('SELECT count(*)::int AS held FROM webhook_subscription WHERE client_id = $1', [
        ctx.actor.id,
      ]);
      if (held >= MAX_WEBHOOKS_PER_CLIENT) {
        throw new DomainError(
          'WEBHOOK.LIMIT_REACHED',
          422,
          'Unprocessable Content',
          `A partner system holds at most ${MAX_WEBHOOKS_PER_CLIENT} webhook subscriptions.`,
        );
      }
      const repo = tx.getRepository(WebhookSubscription);
      return repo.save(
        repo.create({
          id,
          organisationId: ctx.actor.organisationId,
          clientId: ctx.actor.id,
          url: dto.url,
          secret: this.secrets.seal(dto.secret, id),
          events: dto.events,
          active: true,
        }),
      );
    });
    return { id: saved.id, url: saved.url, events: saved.events, active: saved.active, createdAt: saved.createdAt };
  }

  @Get()
  @RequirePermission('read', 'Webhook')
  @ApiOperation({ summary: 'My subscriptions' })
  @ApiOkResponse({ type: WebhookList })
  async list(@CurrentAccess() ctx: AccessContext): Promise<WebhookList> {
    const scope = abilityToSql(
      ctx.ability,
      'read',
      'Webhook',
      columnsFrom(this.db.getRepository(WebhookSubscription).metadata, 'w'),
      'wh',
    );
    const data = await namedQuery<WebhookDto>(
      this.db.manager,
      `SELECT w.id, w.url, w.events, w.active, w.created_at AS "createdAt" FROM webhook_subscription w WHERE ${scope.sql}
        ORDER BY w.created_at, w.id LIMIT ${MAX_WEBHOOKS_PER_CLIENT}`,
      scope.params,
    );
    return { data };
  }

  @Get(':id/deliveries')
  @RequirePermission('read', 'Webhook')
  @ApiOperation({ summary: 'The delivery log of a subscription, newest first' })
  @ApiOkResponse({ type: DeliveryPage })
  async deliveries(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Query() q: PageQuery,
  ): Promise<DeliveryPage> {
    await this.mine(ctx, id);
    return (await this.dispatcher.deliveries(id, q.limit ?? 50, q.cursor)) as DeliveryPage;
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @Idempotent()
  @HttpCode(204)
  @RequirePermission('update', 'Webhook')
  @ApiOperation({ summary: 'Deliver an event again' })
  @ApiNoContentResponse({ description: 'Queued for delivery.' })
  async replay(
    @CurrentAccess() ctx: AccessContext,
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
  ): Promise<void> {
    await this.mine(ctx, id);
    const owned = await namedQuery(
      this.db.manager,
      'SELECT 1 FROM webhook_delivery WHERE id = :d AND subscription_id = :s',
      { d: deliveryId, s: id },
    );
    if (!owned.length) throw DomainError.notFound('Webhook delivery');
    await this.dispatcher.replay(deliveryId);
  }
}

/** Tells grantees, a day ahead, that a disclosure to them is about to lapse (once per grant). */
@Injectable()
export class GrantExpiryJob {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  @Interval(300_000)
  async run(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const due = await namedQuery<{ id: string; grantee: string; grantor: string; until_at: Date; classes: string[] }>(
        tx,
        `SELECT id, grantee_organisation_id AS grantee, grantor_organisation_id AS grantor, until_at, classes FROM sharing_grant
          WHERE revoked_at IS NULL AND expiry_notice_at IS NULL AND until_at > :now AND until_at <= :soon
          FOR UPDATE SKIP LOCKED`,
        { now, soon: new Date(now.getTime() + 86_400_000) },
      );
      for (const g of due) {
        await namedQuery(tx, 'UPDATE sharing_grant SET expiry_notice_at = :now WHERE id = :id', { now, id: g.id });
        await this.outbox.emit(tx, {
          type: 'grant.expiring',
          organisationId: g.grantee,
          payload: {
            grantId: g.id,
            grantorOrganisationId: g.grantor,
            classes: g.classes,
            untilAt: new Date(g.until_at).toISOString(),
          },
          occurredAt: now,
        });
        await this.notifier.send(
          tx,
          { organisationId: g.grantee, roles: rolesAllowed('read', 'SharingGrant') },
          {
            kind: 'grant.expiring',
            subjectType: 'SharingGrant',
            subjectId: g.id,
            message: `A disclosure to your organisation ends at ${new Date(g.until_at).toISOString()}.`,
          },
        );
      }
      return due.length;
    });
  }
}
