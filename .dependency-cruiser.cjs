/**
 * The dependency direction of ARCHITECTURE.md §2, checked in CI (`npm run lint`):
 *   apps -> agency modules -> cross-agency workflows (referrals, sharing) -> children -> casework
 *        -> access, audit, identity -> platform
 * Arrows point down only; libs use each other only through their index (@app/<lib>); no cycles.
 */
const tiers = {
  platform: 0,
  identity: 1,
  access: 1,
  audit: 1,
  casework: 2,
  children: 3,
  referrals: 4,
  sharing: 4,
  police: 5,
  'childrens-services': 5,
  education: 5,
  health: 5,
  oversight: 5,
};
const libs = Object.keys(tiers);
const below = (lib) => libs.filter((other) => other !== lib && tiers[other] < tiers[lib]);
// Within a tier only these arrows are allowed (identity needs access's decorators and audits its
// changes; nothing needs identity back).
const sameTier = { identity: ['access', 'audit'], access: [], audit: [] };

const forbidden = [
  { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  { name: 'libs-never-import-apps', severity: 'error', from: { path: '^libs/' }, to: { path: '^apps/' } },
  {
    name: 'apps-do-not-import-each-other',
    severity: 'error',
    from: { path: '^apps/api/' },
    to: { path: '^apps/worker/' },
  },
  {
    name: 'web-is-only-a-client-of-the-api',
    comment:
      'apps/web talks to the API over HTTP through its generated client: it imports no lib (the API is the one ' +
      'place the policy is enforced) and no other app.',
    severity: 'error',
    from: { path: '^apps/web/' },
    to: { path: '^(libs|apps/(api|worker)|migrations)/' },
  },
  {
    name: 'nothing-imports-web',
    severity: 'error',
    from: { path: '^(libs|apps/(api|worker)|migrations)/' },
    to: { path: '^apps/web/' },
  },
  {
    name: 'worker-does-not-import-api',
    severity: 'error',
    from: { path: '^apps/worker/' },
    to: { path: '^apps/api/' },
  },
  {
    name: 'libs-only-through-index',
    comment: 'Another lib is used only through its public index (@app/<lib>).',
    severity: 'error',
    from: { path: '^libs/([^/]+)/' },
    to: { path: '^libs/([^/]+)/src/.+', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
  },
  ...libs.map((lib) => ({
    name: `${lib}-depends-only-downwards`,
    severity: 'error',
    from: { path: `^libs/${lib}/` },
    to: {
      path: '^libs/([^/]+)/',
      pathNot: [
        `^libs/${lib}/`,
        ...below(lib).map((l) => `^libs/${l}/`),
        ...(sameTier[lib] ?? []).map((l) => `^libs/${l}/`),
      ],
    },
  })),
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', 'dist'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
