import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type Actor, DomainError } from '@app/platform';
import { LoginLimiter } from './login-limiter.service';
import { Organisation } from './organisation.entity';
import { verifySecret } from './passwords';
import { TokenService } from './token.service';
import { ApiClient, User } from './user.entity';

const badCredentials = (): DomainError =>
  new DomainError('AUTH.INVALID_CREDENTIALS', 401, 'Unauthorized', 'The credentials are not valid.');

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(ApiClient) private readonly clients: Repository<ApiClient>,
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    private readonly limiter: LoginLimiter,
    private readonly tokens: TokenService,
  ) {}

  /** The same 401 for an unknown email, a wrong password and an inactive account. */
  async login(email: string, password: string, ip: string) {
    const identity = email.trim().toLowerCase();
    // Counted before the slow hash: parallel guesses cannot all pass a check made before any failed.
    const attempt = await this.limiter.reserve(identity, ip);
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: identity })
      .getOne();
    const ok = await verifySecret(user?.passwordHash, password);
    if (!user || !ok || !user.active) throw badCredentials();
    await this.limiter.succeeded(attempt);
    const org = await this.organisations.findOneByOrFail({ id: user.organisationId });
    return this.tokens.issue(
      {
        kind: 'user',
        id: user.id,
        organisationId: org.id,
        organisationType: org.type,
        teamId: user.teamId,
        roles: user.roles,
        scopes: [],
      },
      // The generation read with the roles above: if a change commits while this login is still
      // hashing, the token carries the older generation and is refused.
      user.tokenGeneration,
    );
  }

  /** OAuth2 client credentials for partner systems; the token carries the client's scopes. */
  async clientCredentials(clientId: string, secret: string, ip: string, requestedScope?: string) {
    const attempt = await this.limiter.reserve(`client:${clientId}`, ip);
    const client = await this.clients
      .createQueryBuilder('c')
      .addSelect('c.secretHash')
      .where('c.clientId = :clientId', { clientId })
      .getOne();
    const ok = await verifySecret(client?.secretHash, secret);
    if (!client || !ok || !client.active) {
      throw new DomainError('AUTH.INVALID_CLIENT', 401, 'Unauthorized', 'The client credentials are not valid.');
    }
    await this.limiter.succeeded(attempt);
    let scopes = client.scopes;
    if (requestedScope !== undefined && requestedScope.trim() !== '') {
      const wanted = requestedScope.trim().split(/\s+/);
      const extra = wanted.filter((s) => !client.scopes.includes(s));
      if (extra.length > 0) {
        throw new DomainError(
          'AUTH.INVALID_SCOPE',
          400,
          'Bad Request',
          `Scope not granted to this client: ${extra.join(' ')}`,
        );
      }
      scopes = wanted;
    }
    const org = await this.organisations.findOneByOrFail({ id: client.organisationId });
    const actor: Actor = {
      kind: 'client',
      id: client.id,
      organisationId: org.id,
      organisationType: org.type,
      teamId: null,
      roles: [],
      scopes,
    };
    // The generation read with the client above: a deactivation committed meanwhile refuses the token.
    return { ...this.tokens.issue(actor, client.tokenGeneration), scope: scopes.join(' ') };
  }
}
