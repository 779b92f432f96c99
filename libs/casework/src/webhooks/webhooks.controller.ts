import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
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
import { abilityToSql, type AccessContext, columnsFrom, CurrentAccess, RequirePermission } from '@app/access';
import {
  ApiNextCursor,
  ApiPageData,
  ApiProblems,
  DomainError,
  Idempotent,
  namedQuery,
  PageQuery,
  UuidParamPipe,
  WebhookDispatcher,
  WebhookSubscription,
  WebhookTargets,
} from '@app/platform';
import { LIVE_PUBLISHED_EVENT_NAMES } from '../events/domain-events';
import { requireScoped } from '../require-scoped';

/**
 * The events a subscription may name: every published event of the catalogue (see
 * domain-events.ts), read when a request is validated or the OpenAPI document is built, by which
 * time every module's declarations have loaded.
 */
const WEBHOOK_EVENTS = LIVE_PUBLISHED_EVENT_NAMES as string[];

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

  @ApiProperty({ type: 'array', items: { type: 'string', enum: WEBHOOK_EVENTS } })
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
  @ApiProperty({ type: 'array', items: { type: 'string', enum: WEBHOOK_EVENTS }, maxItems: 10 }) events!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: Date;
}

export class WebhookList {
  @ApiProperty({ type: [WebhookDto], maxItems: MAX_WEBHOOKS_PER_CLIENT }) data!: WebhookDto[];
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ type: 'string', enum: WEBHOOK_EVENTS }) eventType!: string;
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
    private readonly targets: WebhookTargets,
  ) {}

  private async mine(ctx: AccessContext, id: string): Promise<void> {
    await requireScoped(this.db.manager, ctx, {
      action: 'read',
      subject: 'Webhook',
      fields: columnsFrom(this.db.getMetadata(WebhookSubscription), 'w'),
      prefix: 'wh',
      sql: (scope) => `SELECT 1 FROM webhook_subscription w WHERE w.id = :id AND ${scope}`,
      params: { id },
      notFound: () => DomainError.notFound('Webhook'),
    });
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
    return this.dispatcher.subscribe({
      organisationId: ctx.actor.organisationId,
      clientId: ctx.actor.id,
      url: dto.url,
      secret: dto.secret,
      events: dto.events,
      maxPerClient: MAX_WEBHOOKS_PER_CLIENT,
    });
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
      columnsFrom(this.db.getMetadata(WebhookSubscription), 'w'),
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
