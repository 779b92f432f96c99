import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '@app/access';
import { type Actor, ApiProblems, CurrentActor, Idempotent, UuidParamPipe } from '@app/platform';
import { NotificationPage, NotificationQuery } from './notifications.dto';
import { NotificationsService } from './notifications.service';

const uuid = new UuidParamPipe();

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'My notifications: to me, my team, my role in my organisation; newest first' })
  @ApiOkResponse({ type: NotificationPage })
  list(@CurrentActor() actor: Actor, @Query() q: NotificationQuery): Promise<NotificationPage> {
    return this.notifications.list(actor, q.limit ?? 50, q.cursor, q.unread === 'true');
  }

  @Post(':id/read')
  @Idempotent()
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Mark a notification read (for me)' })
  @ApiNoContentResponse({ description: 'Marked.' })
  @ApiProblems([404, 'No such notification addressed to you.'])
  async markRead(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<void> {
    await this.notifications.markRead(actor, id);
  }
}
