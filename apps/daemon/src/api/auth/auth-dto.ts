import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, MaxLength, MinLength } from 'class-validator';
import { MIN_PASSWORD_LENGTH } from './passwords.js';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 100)
  username!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 1000)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 1000)
  currentPassword!: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(1000)
  newPassword!: string;
}

export class CreateApiTokenDto {
  @ApiProperty({ description: 'What the token is for, e.g. "nightly export script"', example: 'backup script' })
  @IsString()
  @Length(1, 100)
  name!: string;
}

export class OkDto {
  @ApiProperty({ example: true })
  ok!: boolean;
}

export class LoginResultDto extends OkDto {
  @ApiProperty({ description: 'The password was generated (first start or `admin reset-password`): choose a new one now with POST /api/auth/password' })
  mustChangePassword!: boolean;
}

export class MeDto {
  @ApiProperty({ example: 'admin' })
  username!: string;

  @ApiProperty({ enum: ['session', 'api'], description: 'session cookie or API token' })
  via!: 'session' | 'api';

  @ApiPropertyOptional({ type: String, nullable: true, description: "The API token's name, when signed in with one" })
  tokenName!: string | null;

  @ApiProperty({ description: 'The admin still has a generated password; the dashboard asks for a new one before anything else' })
  mustChangePassword!: boolean;
}

export class ApiTokenDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: string | null;
}

export class CreatedApiTokenDto extends ApiTokenDto {
  @ApiProperty({ description: 'The secret, shown this once: send it as `Authorization: Bearer <token>`', example: 'sva_...' })
  token!: string;
}
