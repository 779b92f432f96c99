import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, from the sources (tests) or from dist/ (a build): where views and packages are. */
function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'tsconfig.build.json')) === false) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`No project root above ${from}`);
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot(__dirname);
export const VIEWS = join(ROOT, 'apps/web/views');
export const ASSETS = join(ROOT, 'apps/web/assets');
export const GOVUK = join(ROOT, 'node_modules/govuk-frontend/dist');
export const MOJ = join(ROOT, 'node_modules/@ministryofjustice/frontend');
