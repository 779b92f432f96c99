// Maintained by `npm run migration:generate`: migrations in the order they run.
import { Init1795869855276 } from './1795869855276-Init';
import { AuditLog1795870000000 } from './1795870000000-AuditLog';
import { ChildRecord1795871440720 } from './1795871440720-ChildRecord';
import { Referrals1795872550944 } from './1795872550944-Referrals';
import { Sharing1795873868752 } from './1795873868752-Sharing';
import { RequestTimescales1795874362363 } from './1795874362363-RequestTimescales';
import { InboxIndex1795875078592 } from './1795875078592-InboxIndex';
import { ChildSearchIndex1795880000000 } from './1795880000000-ChildSearchIndex';
import { OutboxRetention1795880100000 } from './1795880100000-OutboxRetention';
import { TokenRevocation1795880200000 } from './1795880200000-TokenRevocation';
import { SealedWebhookSecrets1795880300000 } from './1795880300000-SealedWebhookSecrets';
import { RateLimitWindow1795880400000 } from './1795880400000-RateLimitWindow';
import { ChildSearchTriggerLock1795880500000 } from './1795880500000-ChildSearchTriggerLock';
import { TokenGeneration1795880600000 } from './1795880600000-TokenGeneration';
import { NeedToKnow1795881000000 } from './1795881000000-NeedToKnow';
import { RestrictedNhsNumber1795881100000 } from './1795881100000-RestrictedNhsNumber';
import { ClientTokenGeneration1795883000000 } from './1795883000000-ClientTokenGeneration';
import { RoleGrants1795883100000 } from './1795883100000-RoleGrants';
import { AuditChainInSeqOrder1795884000000 } from './1795884000000-AuditChainInSeqOrder';
import { WebSession1795886000000 } from './1795886000000-WebSession';
import { CaseworkKernel1795887000000 } from './1795887000000-CaseworkKernel';
import { ChildrensServices1795890000000 } from './1795890000000-ChildrensServices';
import { PoliceCse1795891000000 } from './1795891000000-PoliceCse';
import { Education1795892000000 } from './1795892000000-Education';
import { ProtectionStatusLookups1795892100000 } from './1795892100000-ProtectionStatusLookups';
import { Oversight1795893000000 } from './1795893000000-Oversight';
import { PoliceDisclosureEnds1795893500000 } from './1795893500000-PoliceDisclosureEnds';
import { CsCaseAllocation1795894000000 } from './1795894000000-CsCaseAllocation';
import { TherapeuticSupportPlans1796202336819 } from './1796202336819-TherapeuticSupportPlans';
import { CawnEnd1796210000010 } from './1796210000010-CawnEnd';
import { PoliceDisclosureRenewal1796210000011 } from './1796210000011-PoliceDisclosureRenewal';
import { DeadlineHandOver1796210000030 } from './1796210000030-DeadlineHandOver';
import { SupportReviewsSealed1796210000031 } from './1796210000031-SupportReviewsSealed';
import { CouncilPlanStartDate1796210000032 } from './1796210000032-CouncilPlanStartDate';
import { PupilRollNames1796210000040 } from './1796210000040-PupilRollNames';
import { ProblemProfileIndex1796210000041 } from './1796210000041-ProblemProfileIndex';
import { ChildNhsNumberIndex1796210000042 } from './1796210000042-ChildNhsNumberIndex';
import { DeadlineCounts1796210000050 } from './1796210000050-DeadlineCounts';
import { WorkCounts1796210000051 } from './1796210000051-WorkCounts';
import { MissingEpisodeNoInterviewReason1796210000060 } from './1796210000060-MissingEpisodeNoInterviewReason';
import { SchoolCalendarVersion1796231860825 } from './1796231860825-SchoolCalendarVersion';
import { TeamContact1796232247533 } from './1796232247533-TeamContact';

export const MIGRATIONS = [
  Init1795869855276,
  AuditLog1795870000000,
  ChildRecord1795871440720,
  Referrals1795872550944,
  Sharing1795873868752,
  RequestTimescales1795874362363,
  InboxIndex1795875078592,
  ChildSearchIndex1795880000000,
  OutboxRetention1795880100000,
  TokenRevocation1795880200000,
  SealedWebhookSecrets1795880300000,
  RateLimitWindow1795880400000,
  ChildSearchTriggerLock1795880500000,
  TokenGeneration1795880600000,
  NeedToKnow1795881000000,
  RestrictedNhsNumber1795881100000,
  ClientTokenGeneration1795883000000,
  RoleGrants1795883100000,
  AuditChainInSeqOrder1795884000000,
  WebSession1795886000000,
  CaseworkKernel1795887000000,
  ChildrensServices1795890000000,
  PoliceCse1795891000000,
  Education1795892000000,
  ProtectionStatusLookups1795892100000,
  Oversight1795893000000,
  PoliceDisclosureEnds1795893500000,
  CsCaseAllocation1795894000000,
  TherapeuticSupportPlans1796202336819,
  CawnEnd1796210000010,
  PoliceDisclosureRenewal1796210000011,
  DeadlineHandOver1796210000030,
  SupportReviewsSealed1796210000031,
  CouncilPlanStartDate1796210000032,
  PupilRollNames1796210000040,
  ProblemProfileIndex1796210000041,
  ChildNhsNumberIndex1796210000042,
  DeadlineCounts1796210000050,
  WorkCounts1796210000051,
  MissingEpisodeNoInterviewReason1796210000060,
  SchoolCalendarVersion1796231860825,
  TeamContact1796232247533,
];
