import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ApiNextCursor, ApiPageData, PageQuery } from '@app/platform';

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ maxLength: 60, example: 'referral.received' }) kind!: string;
  @ApiProperty({ maxLength: 40, example: 'Referral' }) subjectType!: string;
  @ApiProperty({ format: 'uuid' }) subjectId!: string;
  @ApiProperty({ maxLength: 500 }) message!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() read!: boolean;
}

export class NotificationPage {
  @ApiPageData(NotificationDto) data!: NotificationDto[];
  @ApiNextCursor() nextCursor!: string | null;
}

export class NotificationQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only unread ones.' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';
}
