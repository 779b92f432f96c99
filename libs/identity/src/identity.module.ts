import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@app/audit';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { ApiClientsController } from './api-clients.controller';
import { ApiClientsService } from './api-clients.service';
import { AuthController, MeController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './authentication.guard';
import { OrganisationsController, UsersController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { IdentityAudit } from './identity-audit';
import { JwtStrategy } from './jwt.strategy';
import { LoginLimiter } from './login-limiter.service';
import { Organisation, Team } from './organisation.entity';
import { RoleGrant } from './role-grant.entity';
import { RoleGrantsController } from './role-grants.controller';
import { RoleGrantsService } from './role-grants.service';
import { TokenRevocations } from './token-revocations';
import { signingKey, TokenService } from './token.service';
import { UsersService } from './users.service';
import { ApiClient, LoginFailure, RateLimitWindow, User } from './user.entity';

export const IDENTITY_ENTITIES = [Organisation, Team, User, ApiClient, LoginFailure, RateLimitWindow, RoleGrant];

@Module({
  imports: [
    TypeOrmModule.forFeature(IDENTITY_ENTITIES),
    AuditModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: signingKey(config), signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [
    AuthController,
    MeController,
    OrganisationsController,
    UsersController,
    RoleGrantsController,
    ApiClientsController,
  ],
  providers: [
    AuthService,
    DirectoryService,
    UsersService,
    RoleGrantsService,
    ApiClientsService,
    IdentityAudit,
    LoginLimiter,
    TokenService,
    JwtStrategy,
    TokenRevocations,
    AuthenticationGuard,
  ],
  exports: [AuthenticationGuard, TokenService],
})
export class IdentityModule {}
