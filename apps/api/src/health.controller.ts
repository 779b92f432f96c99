import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '@app/access';

class HealthResponse {
  @ApiProperty({ example: 'ok' }) status!: string;
}

class ReadinessResponse extends HealthResponse {
  @ApiProperty({ example: 'up' }) database!: string;
  @ApiProperty({ example: 'applied' }) migrations!: string;
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
  @ApiServiceUnavailableResponse({ description: 'Database down or migrations pending.' })
  async ready(): Promise<ReadinessResponse> {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('The database does not answer.');
    }
    if (await this.db.showMigrations()) throw new ServiceUnavailableException('Migrations are pending.');
    return { status: 'ok', database: 'up', migrations: 'applied' };
  }
}
