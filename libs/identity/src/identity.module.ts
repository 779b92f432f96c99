import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { AuthController, MeController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './authentication.guard';
import { OrganisationsController, UsersController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginLimiter } from './login-limiter.service';
import { Organisation, Team } from './organisation.entity';
import { TokenRevocations } from './token-revocations';
import { signingKey, TokenService } from './token.service';
import { UsersService } from './users.service';
import { ApiClient, LoginFailure, RateLimitWindow, User } from './user.entity';

export const IDENTITY_ENTITIES = [Organisation, Team, User, ApiClient, LoginFailure, RateLimitWindow];

@Module({
  imports: [
    TypeOrmModule.forFeature(IDENTITY_ENTITIES),
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: signingKey(config), signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, MeController, OrganisationsController, UsersController],
  providers: [
    AuthService,
    DirectoryService,
    UsersService,
    LoginLimiter,
    TokenService,
    JwtStrategy,
    TokenRevocations,
    AuthenticationGuard,
  ],
  exports: [AuthenticationGuard, TokenService],
})
export class IdentityModule {}
