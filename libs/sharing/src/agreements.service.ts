import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AccessContext } from '@app/access';
import { SharedRecord } from '@app/casework';
import { Clock, DomainError, type Page } from '@app/platform';
import type { AgreementDto, CreateAgreementDto } from './sharing.dto';
import { SharingRepository } from './sharing.repository';

/** Information-sharing agreements between organisations: what each party may receive, and on what basis. */
@Injectable()
export class AgreementsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: SharingRepository,
    private readonly record: SharedRecord,
    private readonly clock: Clock,
  ) {}

  async createAgreement(ctx: AccessContext, dto: CreateAgreementDto): Promise<AgreementDto> {
    const errors = [];
    if (dto.endsOn < dto.startsOn) errors.push({ field: 'endsOn', message: 'endsOn must not be before startsOn' });
    if (!dto.parties.some((p) => p.organisationId === ctx.actor.organisationId)) {
      errors.push({ field: 'parties', message: 'your organisation must be a party' });
    }
    if (new Set(dto.parties.map((p) => p.organisationId)).size !== dto.parties.length) {
      errors.push({ field: 'parties', message: 'each organisation may be a party once' });
    }
    if (errors.length) throw DomainError.validation(errors);
    const id = await this.db.transaction(async (tx) => {
      const known = await this.repo.countKnownOrganisations(
        tx,
        dto.parties.map((p) => p.organisationId),
      );
      if (known !== dto.parties.length) {
        throw DomainError.validation([{ field: 'parties', message: 'every party must be a known organisation' }]);
      }
      const agreementId = await this.repo.insertAgreement(
        tx,
        {
          name: dto.name,
          purpose: dto.purpose,
          lawfulBasis: dto.lawfulBasis,
          lawfulBasisDetail: dto.lawfulBasisDetail ?? null,
          startsOn: dto.startsOn,
          endsOn: dto.endsOn,
          createdByOrganisationId: ctx.actor.organisationId,
          approvedBy: ctx.actor.id,
          approvedAt: this.clock.now(),
        },
        dto.parties,
      );
      await this.record.recordStep(tx, ctx, 'sharing_agreement.create', 'SharingAgreement', [agreementId], null, {
        parties: dto.parties.map((p) => p.organisationId),
        lawfulBasis: dto.lawfulBasis,
      });
      return agreementId;
    });
    const page = await this.listAgreements(ctx, 1, undefined, id);
    return page.data[0]!;
  }

  async listAgreements(
    ctx: AccessContext,
    limit: number,
    cursor?: string,
    onlyId?: string,
  ): Promise<Page<AgreementDto>> {
    return this.repo.agreementsPage(this.db.manager, ctx, limit, cursor, onlyId);
  }
}
