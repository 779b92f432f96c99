import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '@app/access';
import { ApiProblems, DATABASE_RETRY_AFTER_SECONDS, DomainError } from '@app/platform';

class HealthResponse {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

class ReadinessResponse extends HealthResponse {
  @ApiProperty({ enum: ['up'] }) database!: 'up';
  @ApiProperty({ enum: ['applied'] }) migrations!: 'applied';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ type: HealthResponse })
  live(): HealthResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: the database answers and every migration is applied' })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiProblems([503, 'SERVICE_UNAVAILABLE: the database does not answer, or migrations are pending.'])
  async ready(): Promise<ReadinessResponse> {
    let pending: boolean;
    try {
      await this.db.query('SELECT 1');
      pending = await this.db.showMigrations();
    } catch {
      throw DomainError.serviceUnavailable('The database does not answer.', DATABASE_RETRY_AFTER_SECONDS);
    }
    if (pending) throw DomainError.serviceUnavailable('Migrations are pending.', DATABASE_RETRY_AFTER_SECONDS);
    return { status: 'ok', database: 'up', migrations: 'applied' };
  }
}
