import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig, Clock, DomainError } from '@app/platform';
import { LoginFailure } from './user.entity';

/**
 * Counts failed logins in the database (so every API instance sees them) per account and per
 * client address, and refuses further attempts with 429 once either passes its limit.
 */
@Injectable()
export class LoginLimiter {
  constructor(
    @InjectRepository(LoginFailure) private readonly failures: Repository<LoginFailure>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  private keys(identity: string, ip: string): { account: string; address: string } {
    const digest = createHash('sha256').update(identity.toLowerCase()).digest('hex').slice(0, 40);
    return { account: `id:${digest}`, address: `ip:${ip}`.slice(0, 100) };
  }

  async assertAllowed(identity: string, ip: string): Promise<void> {
    const { account, address } = this.keys(identity, ip);
    const since = new Date(this.clock.now().getTime() - this.config.loginFailureWindowSeconds * 1000);
    const [byAccount, byAddress] = await Promise.all([
      this.failures.count({ where: { key: account, at: MoreThan(since) } }),
      this.failures.count({ where: { key: address, at: MoreThan(since) } }),
    ]);
    if (byAccount >= this.config.loginMaxFailures || byAddress >= this.config.loginMaxFailuresPerIp) {
      throw DomainError.tooManyRequests(this.config.loginFailureWindowSeconds);
    }
  }

  async recordFailure(identity: string, ip: string): Promise<void> {
    const { account, address } = this.keys(identity, ip);
    const at = this.clock.now();
    await this.failures.insert([
      { key: account, at },
      { key: address, at },
    ]);
  }

  async clear(identity: string, ip: string): Promise<void> {
    await this.failures.delete({ key: this.keys(identity, ip).account });
  }
}
