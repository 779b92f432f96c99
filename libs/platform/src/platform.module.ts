import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './clock/clock';
import { APP_CONFIG, type AppConfig } from './config/config';
import { SecretBox } from './crypto/secret-box';
import { useCursorSecret } from './http/pagination';
import { HOST_RESOLVER, type HostResolver, systemResolver } from './outbox/webhook-target';

@Global()
@Module({})
export class PlatformModule {
  /** `resolver` answers the DNS look-ups of outbound webhooks (tests give a fake one). */
  static forRoot(
    config: AppConfig,
    clock: Clock = new Clock(),
    resolver: HostResolver = systemResolver,
  ): DynamicModule {
    // Every process of a deployment shares JWT_SECRET, so each accepts the others' cursors.
    useCursorSecret(config.jwtSecret);
    return {
      module: PlatformModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: SecretBox, useFactory: () => new SecretBox(config.dataEncryptionKey) },
        { provide: HOST_RESOLVER, useValue: resolver },
      ],
      exports: [APP_CONFIG, Clock, SecretBox, HOST_RESOLVER],
    };
  }
}
