import { create } from 'xmlbuilder2';
import { CENSUS_PRIMARY_NEEDS, CIN_FACTORS, CLOSURE_REASONS } from './childrens-services.entity';

/** One child's data for the census, as loaded for a council and a collection year. */
export interface CensusChild {
  childId: string;
  laChildId: string | null;
  upn: string | null;
  dateOfBirth: string | null;
  /** An unborn child's expected date of birth (ExpectedPersonBirthDate). */
  expectedDateOfBirth?: string | null;
  sex: string | null;
  ethnicity: string | null;
  disabilities: string[];
  episodes: CensusEpisode[];
}

export interface CensusEpisode {
  caseId: string;
  referralDate: string;
  referralSource: string;
  primaryNeed: string | null;
  referralNfa: boolean;
  closureDate: string | null;
  closureReason: string | null;
  assessments: { startDate: string; authorisedDate: string | null; factors: string[] }[];
  cinPlans: { startDate: string; endDate: string | null }[];
  s47s: { startDate: string; icpcTarget: string; icpcDate: string | null; icpcNotRequired: boolean }[];
  cpPlans: {
    startDate: string;
    endDate: string | null;
    initialCategory: string | null;
    latestCategory: string | null;
    /** NumberOfPreviousCPP: the child's child protection plans with this council that started before this one. */
    previousPlans: number;
    reviews: string[];
  }[];
}

export interface CensusHeader {
  year: number;
  la: string;
  generatedAt: Date;
  serialNo?: number;
}

/** A census validation failure: the DfE rule's code, the child it concerns, and what is wrong. */
export interface CensusError {
  rule: string;
  childId: string;
  laChildId: string | null;
  message: string;
}

/** The collection year: 2026 is 1 April 2025 to 31 March 2026 (reference date 31 March 2026). */
export function censusPeriod(year: number): { start: string; end: string } {
  return { start: `${year - 1}-04-01`, end: `${year}-03-31` };
}

const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/**
 * The DfE CIN census validation rules this system can break (codes from the DfE's published
 * rules, as the cin_validator tool numbers them). A document with any error is refused.
 */
export const CENSUS_RULES: { rule: string; message: string; check: (c: CensusChild, end: string) => string | null }[] =
  [
    {
      rule: '8500',
      message: 'LA Child ID must be present',
      check: (c) => (c.laChildId ? null : 'LAchildID is missing'),
    },
    {
      rule: '8525',
      message: 'Either Date of Birth or Expected Date of Birth must be provided',
      check: (c) => (c.dateOfBirth || c.expectedDateOfBirth ? null : 'PersonBirthDate is missing'),
    },
    {
      rule: '8520',
      message: 'Date of Birth is after data collection period (must be on or before the end of the census period)',
      check: (c, end) =>
        c.dateOfBirth && c.dateOfBirth > end ? `PersonBirthDate ${c.dateOfBirth} is after ${end}` : null,
    },
    {
      rule: '8606',
      message: 'Child referral date is more than 40 weeks before DOB or expected DOB',
      check: (c) => {
        const bad = c.dateOfBirth && c.episodes.find((e) => days(e.referralDate, c.dateOfBirth!) > 280);
        return bad ? `CINreferralDate ${bad.referralDate} is more than 280 days before the date of birth` : null;
      },
    },
    {
      rule: '8925',
      message: 'Child Protection Plan End Date must be on or after the Child Protection Plan Start Date',
      check: (c) => {
        for (const e of c.episodes)
          for (const p of e.cpPlans)
            if (p.endDate && p.endDate < p.startDate)
              return `CPPendDate ${p.endDate} is before CPPstartDate ${p.startDate}`;
        return null;
      },
    },
    {
      rule: '8650',
      message: 'Primary Need Code invalid (see Primary Need table in CIN census code set)',
      check: (c) => {
        const bad = c.episodes.find((e) => e.primaryNeed && !CENSUS_PRIMARY_NEEDS.includes(e.primaryNeed));
        return bad ? `PrimaryNeedCode ${bad.primaryNeed} is not N0-N9` : null;
      },
    },
    {
      rule: '8640',
      message: 'CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)',
      check: (c) => {
        const bad = c.episodes.find(
          (e) => e.closureReason && !(CLOSURE_REASONS as readonly string[]).includes(e.closureReason),
        );
        return bad ? `ReasonForClosure ${bad.closureReason} is not RC1-RC9` : null;
      },
    },
    {
      rule: '8617',
      message: 'Code 8A has been returned. This code is not a valid code.',
      check: (c) =>
        c.episodes.some((e) => e.assessments.some((a) => a.factors.includes('8A')))
          ? 'an assessment has factor 8A'
          : null,
    },
    // Checks of our own, under codes of our own (HUB-...): each keeps out a document the DfE would
    // refuse or query, but we have not matched it to the DfE's rule number, so we claim none.
    {
      rule: 'HUB-FACTOR',
      message: 'Factors identified at assessment must be codes of the CIN census code set (2025-26)',
      check: (c) => {
        for (const e of c.episodes)
          for (const a of e.assessments)
            for (const f of a.factors)
              if (f !== '8A' && !(CIN_FACTORS as readonly string[]).includes(f))
                return `AssessmentFactor ${f} is not in the code set`;
        return null;
      },
    },
    {
      rule: 'HUB-CPP-CATEGORY',
      message: 'Child Protection Plan Initial and Latest Category of Abuse must be present',
      check: (c) => {
        const bad = c.episodes.some((e) => e.cpPlans.some((p) => !p.initialCategory || !p.latestCategory));
        return bad ? 'a child protection plan has no category of abuse' : null;
      },
    },
    {
      rule: 'HUB-NO-FACTOR',
      message: "An authorised assessment must have at least one factor (21: 'no factors identified')",
      check: (c) => {
        const bad = c.episodes.flatMap((e) => e.assessments).find((a) => a.authorisedDate && !a.factors.length);
        return bad ? `the assessment authorised ${bad.authorisedDate} has no AssessmentFactors` : null;
      },
    },
    {
      rule: 'HUB-EPISODE-OVERLAP',
      message: 'A child has one open CIN episode at a time (a new referral is recorded on the open one)',
      check: (c) => {
        const eps = [...c.episodes].sort((a, b) => a.referralDate.localeCompare(b.referralDate));
        for (let i = 1; i < eps.length; i++) {
          const prev = eps[i - 1]!;
          if (!prev.closureDate || prev.closureDate > eps[i]!.referralDate)
            return `CINreferralDate ${eps[i]!.referralDate} is while the episode of ${prev.referralDate} is open`;
        }
        return null;
      },
    },
    {
      rule: 'HUB-CIN-DURING-CPP',
      message: 'A child in need plan does not start while a child protection plan runs',
      check: (c) => {
        const cps = c.episodes.flatMap((e) => e.cpPlans);
        for (const p of c.episodes.flatMap((e) => e.cinPlans))
          for (const cp of cps)
            if (p.startDate >= cp.startDate && (!cp.endDate || p.startDate < cp.endDate))
              return `CINPlanStartDate ${p.startDate} is during the plan that started ${cp.startDate}`;
        return null;
      },
    },
    {
      rule: 'HUB-CLOSURE-REASON',
      message: 'A closed CIN episode must have a reason for closure',
      check: (c) => {
        const bad = c.episodes.find((e) => e.closureDate && !e.closureReason);
        return bad ? `CINclosureDate ${bad.closureDate} has no ReasonForClosure` : null;
      },
    },
  ];

export function validateCensus(children: CensusChild[], year: number): CensusError[] {
  const { end } = censusPeriod(year);
  const errors: CensusError[] = [];
  for (const child of children) {
    for (const r of CENSUS_RULES) {
      const problem = r.check(child, end);
      if (problem) {
        errors.push({
          rule: r.rule,
          childId: child.childId,
          laChildId: child.laChildId,
          message: `${r.message}: ${problem}`,
        });
      }
    }
  }
  return errors;
}

const escapeText = (v: string) =>
  /[&<>]/.test(v) ? v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : v;

/**
 * A minimal pretty-printing XML writer (elements and text only, two-space indent): the census of a
 * large council is hundreds of thousands of elements, and building a DOM for them first (as an XML
 * library does) was most of the time the whole return took (bench/census.ts).
 */
class XmlWriter {
  private readonly parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  private readonly open: { name: string; empty: boolean; at: number }[] = [];

  private static readonly INDENTS = Array.from({ length: 12 }, (_, i) => '\n' + '  '.repeat(i));
  private indent(): string {
    return XmlWriter.INDENTS[this.open.length] ?? '\n' + '  '.repeat(this.open.length);
  }
  start(name: string): this {
    if (this.open.length) this.open[this.open.length - 1]!.empty = false;
    this.parts.push(`${this.indent()}<${name}>`);
    this.open.push({ name, empty: true, at: this.parts.length - 1 });
    return this;
  }
  end(): this {
    const el = this.open.pop()!;
    // An element with nothing in it is written <Name/>, as XML libraries write it.
    if (el.empty) this.parts[el.at] = `${this.parts[el.at]!.slice(0, -1)}/>`;
    else this.parts.push(`${this.indent()}</${el.name}>`);
    return this;
  }
  leaf(name: string, value: string): this {
    if (this.open.length) this.open[this.open.length - 1]!.empty = false;
    this.parts.push(`${this.indent()}<${name}>${escapeText(value)}</${name}>`);
    return this;
  }
  opt(name: string, value: string | null | undefined): this {
    return value === null || value === undefined ? this : this.leaf(name, value);
  }
  toString(): string {
    return this.parts.join('');
  }
}

/** The DfE CIN census XML: root Message, no default namespace, dates YYYY-MM-DD. */
export function buildCensusXml(children: CensusChild[], header: CensusHeader): string {
  const w = new XmlWriter();
  w.start('Message').start('Header');
  w.start('CollectionDetails')
    .leaf('Collection', 'CIN')
    .leaf('Year', String(header.year))
    .leaf('ReferenceDate', censusPeriod(header.year).end)
    .end();
  w.start('Source')
    .leaf('SourceLevel', 'L')
    .leaf('LEA', header.la)
    .leaf('SoftwareCode', 'safeguarding-hub')
    .leaf('Release', '0.1.0')
    .leaf('SerialNo', String(header.serialNo ?? 1))
    .leaf('DateTime', header.generatedAt.toISOString().slice(0, 19))
    .end();
  w.end().start('Children');
  for (const c of children) {
    w.start('Child').start('ChildIdentifiers');
    w.opt('LAchildID', c.laChildId).opt('UPN', c.upn);
    if (!c.upn) w.leaf('UPNunknown', 'UN1');
    w.opt('PersonBirthDate', c.dateOfBirth);
    if (!c.dateOfBirth) w.opt('ExpectedPersonBirthDate', c.expectedDateOfBirth);
    w.opt('Sex', c.sex ?? 'U').end();
    w.start('ChildCharacteristics')
      .opt('Ethnicity', c.ethnicity ?? 'NOBT')
      .start('Disabilities');
    for (const d of c.disabilities.length ? c.disabilities : ['NONE']) w.leaf('Disability', d);
    w.end().end();
    for (const e of c.episodes) {
      w.start('CINdetails').leaf('CINreferralDate', e.referralDate).leaf('ReferralSource', e.referralSource);
      w.opt('PrimaryNeedCode', e.primaryNeed).opt('CINclosureDate', e.closureDate);
      w.opt('ReasonForClosure', e.closureReason);
      w.opt(
        'DateOfInitialCPC',
        e.s47s.map((s) => s.icpcDate).find((d) => d),
      );
      w.leaf('ReferralNFA', e.referralNfa ? 'true' : 'false');
      for (const a of e.assessments) {
        w.start('Assessments').leaf('AssessmentActualStartDate', a.startDate);
        w.opt('AssessmentAuthorisationDate', a.authorisedDate).start('AssessmentFactors');
        for (const code of a.factors) w.leaf('AssessmentFactor', code);
        w.end().end();
      }
      for (const p of e.cinPlans) {
        w.start('CINPlanDates').leaf('CINPlanStartDate', p.startDate).opt('CINPlanEndDate', p.endDate).end();
      }
      for (const s of e.s47s) {
        w.start('Section47').leaf('S47ActualStartDate', s.startDate).leaf('InitialCPCtarget', s.icpcTarget);
        w.opt('DateOfInitialCPC', s.icpcDate)
          .leaf('ICPCnotRequired', s.icpcNotRequired ? 'true' : 'false')
          .end();
      }
      for (const p of e.cpPlans) {
        w.start('ChildProtectionPlans').leaf('CPPstartDate', p.startDate).opt('CPPendDate', p.endDate);
        w.opt('InitialCategoryOfAbuse', p.initialCategory).opt('LatestCategoryOfAbuse', p.latestCategory);
        w.leaf('NumberOfPreviousCPP', String(p.previousPlans)).start('Reviews');
        for (const r of p.reviews) w.leaf('CPPreviewDate', r);
        w.end().end();
      }
      w.end();
    }
    w.end();
  }
  w.end().end();
  return w.toString();
}

/**
 * The document's structure as the DfE publishes it in outline (the outline of the CIN
 * census specification): for each element, the children it may hold, in the order they must come.
 * The DfE's XSD is not available offline, so documents are checked against this table instead
 * (`censusStructureErrors`); it is our reading of the specification, not the schema itself.
 */
export const CIN_CENSUS_STRUCTURE: Record<string, readonly string[]> = {
  Message: ['Header', 'Children'],
  Header: ['CollectionDetails', 'Source'],
  CollectionDetails: ['Collection', 'Year', 'ReferenceDate'],
  Source: ['SourceLevel', 'LEA', 'SoftwareCode', 'Release', 'SerialNo', 'DateTime'],
  Children: ['Child'],
  Child: ['ChildIdentifiers', 'ChildCharacteristics', 'CINdetails'],
  ChildIdentifiers: ['LAchildID', 'UPN', 'UPNunknown', 'PersonBirthDate', 'ExpectedPersonBirthDate', 'Sex'],
  ChildCharacteristics: ['Ethnicity', 'Disabilities'],
  Disabilities: ['Disability'],
  CINdetails: [
    'CINreferralDate',
    'ReferralSource',
    'PrimaryNeedCode',
    'CINclosureDate',
    'ReasonForClosure',
    'DateOfInitialCPC',
    'ReferralNFA',
    'Assessments',
    'CINPlanDates',
    'Section47',
    'ChildProtectionPlans',
  ],
  Assessments: ['AssessmentActualStartDate', 'AssessmentAuthorisationDate', 'AssessmentFactors'],
  AssessmentFactors: ['AssessmentFactor'],
  CINPlanDates: ['CINPlanStartDate', 'CINPlanEndDate'],
  Section47: ['S47ActualStartDate', 'InitialCPCtarget', 'DateOfInitialCPC', 'ICPCnotRequired'],
  ChildProtectionPlans: [
    'CPPstartDate',
    'CPPendDate',
    'InitialCategoryOfAbuse',
    'LatestCategoryOfAbuse',
    'NumberOfPreviousCPP',
    'Reviews',
  ],
  Reviews: ['CPPreviewDate'],
};

/** Elements whose text must be a date (YYYY-MM-DD), a boolean or a whole number. */
const DATE_ELEMENTS = new Set([
  'ReferenceDate',
  'PersonBirthDate',
  'ExpectedPersonBirthDate',
  'CINreferralDate',
  'CINclosureDate',
  'DateOfInitialCPC',
  'AssessmentActualStartDate',
  'AssessmentAuthorisationDate',
  'CINPlanStartDate',
  'CINPlanEndDate',
  'S47ActualStartDate',
  'InitialCPCtarget',
  'CPPstartDate',
  'CPPendDate',
  'CPPreviewDate',
]);
const BOOLEAN_ELEMENTS = new Set(['ReferralNFA', 'ICPCnotRequired']);
const INTEGER_ELEMENTS = new Set(['NumberOfPreviousCPP', 'Year', 'SerialNo']);

/**
 * Every place a census document departs from CIN_CENSUS_STRUCTURE: an unknown element, children
 * out of order, a namespace, a date not YYYY-MM-DD. Empty for a well-formed return.
 */
interface XNode {
  nodeName: string;
  nodeType: number;
  namespaceURI: string | null;
  childNodes: Iterable<XNode>;
  textContent: string | null;
}

export function censusStructureErrors(xml: string): string[] {
  const errors: string[] = [];
  const root = create(xml).root().node as unknown as XNode;
  if (root.nodeName !== 'Message') errors.push(`root is ${root.nodeName}, not Message`);
  if (root.namespaceURI) errors.push(`root has the namespace ${root.namespaceURI}`);
  const walk = (el: XNode, path: string) => {
    const allowed = CIN_CENSUS_STRUCTURE[el.nodeName];
    const kids = [...el.childNodes].filter((n) => n.nodeType === 1);
    if (!allowed) {
      if (kids.length) errors.push(`${path} holds elements but is a value`);
      const text = el.textContent ?? '';
      if (DATE_ELEMENTS.has(el.nodeName) && !/^\d{4}-\d{2}-\d{2}$/.test(text))
        errors.push(`${path} is not YYYY-MM-DD: ${text}`);
      if (BOOLEAN_ELEMENTS.has(el.nodeName) && !/^(true|false)$/.test(text))
        errors.push(`${path} is not a boolean: ${text}`);
      if (INTEGER_ELEMENTS.has(el.nodeName) && !/^\d+$/.test(text))
        errors.push(`${path} is not a whole number: ${text}`);
      return;
    }
    let at = 0;
    for (const k of kids) {
      const i = allowed.indexOf(k.nodeName);
      if (i < 0) errors.push(`${path}/${k.nodeName} is not an element of ${el.nodeName}`);
      else if (i < at) errors.push(`${path}/${k.nodeName} comes after ${allowed[at]}`);
      else at = i;
      walk(k, `${path}/${k.nodeName}`);
    }
  };
  walk(root, 'Message');
  return errors;
}
