import { DomainError } from '@app/platform';
import { allowedMoves, type CsMachine } from './childrens-services.state';

const WORDS: Record<CsMachine, string> = {
  case: 'case',
  assessment: 'assessment',
  strategy_discussion: 'strategy discussion',
  s47: 'section 47 enquiry',
  plan: 'plan',
};

export const CsError = {
  notFound: (what: string) => () => DomainError.notFound(what),
  illegalTransition: (machine: CsMachine, from: string, to: string) => {
    const allowed = allowedMoves(machine, from);
    return DomainError.conflict(
      'CS.ILLEGAL_TRANSITION',
      `A ${WORDS[machine]} that is ${from} cannot become ${to}${allowed.length ? `; it can become ${allowed.join(' or ')}` : '; it is final'}.`,
      { currentStatus: from, allowed },
    );
  },
  conflict: (code: string, detail: string, extensions: Record<string, unknown> = {}) =>
    DomainError.conflict(code, detail, extensions),
  /** New work (a step, a conference) on a case that is no longer open. */
  caseClosed: (status: string) =>
    DomainError.conflict('CS.CASE_CLOSED', 'The case is closed: open a new one for new work.', {
      currentStatus: status,
      allowed: [],
    }),
  stale: (version: number) =>
    DomainError.preconditionFailed(`The record has changed (version ${version}); reload and retry.`),
  field: (field: string, message: string) => DomainError.validation([{ field, message }]),
} as const;
