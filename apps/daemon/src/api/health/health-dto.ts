import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HealthCheckDto {
  @ApiProperty({ enum: ['ok', 'failed'] })
  status!: 'ok' | 'failed';

  @ApiPropertyOptional({ description: 'What failed, or a detail such as how many workers run' })
  message?: string;
}

export class HealthChecksDto {
  @ApiProperty({ type: HealthCheckDto, description: 'PostgreSQL answers SELECT 1' })
  database!: HealthCheckDto;

  @ApiProperty({ type: HealthCheckDto, description: 'Redis answers PING' })
  redis!: HealthCheckDto;

  @ApiProperty({ type: HealthCheckDto, description: "This process's BullMQ workers run (SYNCVAULT_WORKERS=true), or some worker is connected to the backup queue" })
  workers!: HealthCheckDto;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'failed'] })
  status!: 'ok' | 'failed';

  @ApiProperty({ type: HealthChecksDto })
  checks!: HealthChecksDto;
}
