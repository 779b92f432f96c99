import { AUDIT_ENTITIES } from '@app/audit';
import { CASEWORK_ENTITIES } from '@app/casework';
import { CHILDREN_ENTITIES } from '@app/children';
import { CHILDRENS_SERVICES_ENTITIES } from '@app/childrens-services';
import { EDUCATION_ENTITIES } from '@app/education';
import { HEALTH_ENTITIES, SUPPORT_PLAN_ENTITIES } from '@app/health';
import { IDENTITY_ENTITIES } from '@app/identity';
import { OVERSIGHT_ENTITIES } from '@app/oversight';
import { POLICE_ENTITIES } from '@app/police';
import { IDEMPOTENCY_ENTITIES, OUTBOX_ENTITIES, type SchemaParts } from '@app/platform';
import { REFERRAL_ENTITIES } from '@app/referrals';
import { SHARING_ENTITIES } from '@app/sharing';
import { MIGRATIONS } from './index';

/** Every entity the database holds, and the migrations that build it: one list for all processes. */
export const SCHEMA: SchemaParts = {
  entities: [
    ...IDENTITY_ENTITIES,
    ...AUDIT_ENTITIES,
    ...CHILDREN_ENTITIES,
    ...CASEWORK_ENTITIES,
    ...REFERRAL_ENTITIES,
    ...IDEMPOTENCY_ENTITIES,
    ...OUTBOX_ENTITIES,
    ...SHARING_ENTITIES,
    ...CHILDRENS_SERVICES_ENTITIES,
    ...EDUCATION_ENTITIES,
    ...HEALTH_ENTITIES,
    ...SUPPORT_PLAN_ENTITIES,
    ...OVERSIGHT_ENTITIES,
    ...POLICE_ENTITIES,
  ],
  migrations: MIGRATIONS,
};
