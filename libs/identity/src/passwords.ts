import * as argon2 from 'argon2';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashSecret(secret: string): Promise<string> {
  return argon2.hash(secret, OPTIONS);
}

let dummy: Promise<string> | undefined;

/**
 * Verifies a secret; with no stored hash it still spends the same time on a dummy one, so the
 * answer's timing does not tell whether the account exists.
 */
export async function verifySecret(hash: string | undefined, secret: string): Promise<boolean> {
  if (hash === undefined) {
    dummy ??= hashSecret('not-a-real-secret-of-anyone');
    await argon2.verify(await dummy, secret);
    return false;
  }
  try {
    return await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}
