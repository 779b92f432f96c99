import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { TIMESCALE_UNITS } from './timescale-declarations';

/** Keys are dotted names (`referral.decision`); there are a few dozen at most. */
const MAX_TIMESCALES = 100;

export class TimescaleDto {
  @ApiProperty({ example: 'referral.decision', maxLength: 60 }) key!: string;
  @ApiProperty({ description: "The organisation's value: its own, or the default." }) value!: number;
  @ApiProperty({ description: 'Whether the organisation set its own value.' }) local!: boolean;
  @ApiProperty() default!: number;
  @ApiProperty({ enum: TIMESCALE_UNITS }) unit!: string;
  @ApiProperty() min!: number;
  @ApiProperty() max!: number;
  @ApiProperty({ maxLength: 500 }) description!: string;
}

export class TimescalesDto {
  @ApiProperty({ format: 'uuid' }) organisationId!: string;
  @ApiProperty({ type: [TimescaleDto], maxItems: MAX_TIMESCALES }) timescales!: TimescaleDto[];
}

export class PutTimescalesDto {
  @ApiProperty({
    type: 'object',
    maxProperties: MAX_TIMESCALES,
    additionalProperties: { type: 'integer', format: 'int32', minimum: 0, maximum: 100_000 },
    example: { 'referral.decision': 1, 'information_request.urgent': 2 },
    description:
      "The organisation's own values, by key: every timescale left out follows its default. Each value is a whole " +
      'number within the bounds GET lists.',
  })
  @IsObject()
  timescales!: Record<string, unknown>;
}
