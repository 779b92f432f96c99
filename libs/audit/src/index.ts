export * from './audit-event.entity';
export * from './audit.module';
export * from './audit.service';
export * from './audit-sealer';
export * from './audit-verifier';
export { canonicalJson, chainHash, GENESIS_HASH, sha256Hex } from './canonical';
