import { Global, Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';
import { PermissionGuard } from './permission.guard';

@Global()
@Module({ providers: [AbilityFactory, PermissionGuard], exports: [AbilityFactory, PermissionGuard] })
export class AccessModule {}
