/**
 * Members per bulk batch (one transaction each) when `ERGO_BULK_BATCH_SIZE` is not set: the
 * configuration's default and the bulk service's fallback. 50 keeps a worker under its memory
 * bar with the realistic admin (docs/benchmarks.md, docs/scaling.md).
 */
export const DEFAULT_BULK_BATCH_SIZE = 50;
