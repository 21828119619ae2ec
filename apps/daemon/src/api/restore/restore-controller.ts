import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { RestoreService } from '../../restore/index.js';
import { ErrorDto, Private } from '../openapi-decorators.js';
import { RestorePlanDto, RestoreRequestDto, restoreRequest } from './restore-dto.js';

@ApiTags('restore')
@Private()
@Controller('api/accounts')
export class RestoreController {
  constructor(@Inject(RestoreService) private readonly restore: RestoreService) {}

  @Post(':id/restore/plan')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Plan a restore: the exact records it would write or delete on the live server now, the validator counts before and after, the client command; writes nothing',
  })
  @ApiParam({ name: 'id', description: 'Account id or name' })
  @ApiOkResponse({ type: RestorePlanDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no such account or snapshot' })
  @ApiUnprocessableEntityResponse({ type: ErrorDto, description: 'what was asked cannot be restored (not in the snapshot, not a folder, ...)' })
  async plan(@Param('id') id: string, @Body() body: RestoreRequestDto): Promise<RestorePlanDto> {
    return (await this.restore.plan(restoreRequest(id, body))) as unknown as RestorePlanDto;
  }
}
